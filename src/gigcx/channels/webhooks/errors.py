from gigcx.errors import Conflict, InvalidInput, NotFound


class EndpointNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("webhook endpoint not found; list yours at GET /api/v1/webhooks/endpoints")


class MessageNotFound(NotFound):
    def __init__(self, message_id: str) -> None:
        super().__init__(
            f"this endpoint has no message {message_id!r}; its messages are listed at "
            "GET /api/v1/webhooks/endpoints/{id}/messages"
        )


class EndpointUrlRefused(InvalidInput):
    """An endpoint address we will not send to."""


class UnknownEventType(InvalidInput):
    def __init__(self, names: list[str]) -> None:
        super().__init__(
            f"unknown event type {', '.join(repr(n) for n in names)}; pick from "
            "ticket.created, ticket.offered, ticket.assigned, ticket.replied, ticket.resolved, "
            "ticket.escalated, ticket.rated, offer.accepted, offer.expired, payout.created and "
            "the others listed in the API schema, or leave the list empty for all"
        )


class EndpointDisabled(Conflict):
    def __init__(self) -> None:
        super().__init__("the endpoint is disabled; enable it first, then send or replay")


class ReplayRangeInvalid(InvalidInput):
    """A replay that names no message, or a time range that is empty or too large."""
