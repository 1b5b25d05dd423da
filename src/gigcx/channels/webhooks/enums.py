from enum import StrEnum

from gigcx.jobs.events import EventType

# The event a brand sends itself from the console or the API to try an endpoint.
TEST_EVENT = "webhook.test"

# What an endpoint may subscribe to: every domain event, plus the test event.
EVENT_TYPES: tuple[str, ...] = (*(event.value for event in EventType), TEST_EVENT)


class EndpointStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class DisabledReason(StrEnum):
    # A brand admin turned it off.
    BY_BRAND = "by_brand"
    # The receiver answered 410 Gone.
    GONE = "gone"
    # Every attempt failed for five days.
    FAILING = "failing"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    # Retries used up, or the receiver answered 410.
    FAILED = "failed"
    # The endpoint was disabled before the message got through.
    CANCELED = "canceled"


class AttemptOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    # 429, 502, 503 or 504: the receiver asks us to slow down.
    THROTTLED = "throttled"
    # 410: the receiver wants no more; the endpoint is disabled.
    GONE = "gone"
    # Nothing was sent: the address is not one we may reach (see guard.py).
    REFUSED = "refused"
