import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from gigcx.channels.webhooks.enums import (
    EVENT_TYPES,
    AttemptOutcome,
    DeliveryStatus,
    DisabledReason,
    EndpointStatus,
)
from gigcx.kit.schemas import Instant, Omittable, Schema

# Literal of every event type, so the API schema lists them and an unknown one is refused.
EventName = Literal[EVENT_TYPES]  # type: ignore[valid-type]
MESSAGE_ID_PATTERN = r"^msg_[A-Za-z0-9]{1,36}$"

Url = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Description = Annotated[str, StringConstraints(max_length=500)]
EventNames = Annotated[list[EventName], Field(max_length=len(EVENT_TYPES))]


class EndpointCreate(Schema):
    url: Url = Field(description="Where to POST: https://..., public addresses only")
    description: Description = ""
    event_types: EventNames = Field(default_factory=list, description="Empty: every event")


class EndpointUpdate(Schema):
    url: Omittable[Url] = None
    description: Omittable[Description] = None
    event_types: Omittable[EventNames] = None
    status: Omittable[EndpointStatus] = Field(
        default=None, description="disabled stops deliveries; active turns them back on"
    )


class EndpointRead(Schema):
    id: uuid.UUID
    url: str
    description: str
    event_types: list[str]
    status: EndpointStatus
    disabled_reason: DisabledReason | None
    disabled_at: datetime | None
    failing_since: datetime | None
    created_at: datetime


class EndpointCreated(EndpointRead):
    secret: str = Field(description="The signing secret (whsec_...); shown this once")


class SecretRotated(Schema):
    secret: str = Field(description="The new signing secret; shown this once")
    previous_expires_at: datetime | None = Field(
        description="Until then the old secret signs too, next to the new one"
    )


class AttemptRead(Schema):
    n: int
    attempted_at: datetime
    outcome: AttemptOutcome
    status_code: int | None
    response_snippet: str
    duration_ms: int
    error: str | None
    next_attempt_at: datetime | None


class DeliveryRead(Schema):
    message_id: str
    event_type: str
    payload: dict[str, Any]
    created_at: datetime
    status: DeliveryStatus
    next_attempt_at: datetime | None
    attempts: list[AttemptRead]


class ReplayRequest(Schema):
    message_id: Annotated[str, StringConstraints(pattern=MESSAGE_ID_PATTERN)] | None = Field(
        default=None, description="Replay this message; or give since (and until)"
    )
    since: Instant | None = None
    until: Instant | None = Field(default=None, description="Default: now")


class ReplayResult(Schema):
    replayed: int
