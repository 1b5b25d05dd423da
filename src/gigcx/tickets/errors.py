from gigcx.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class TicketNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("ticket not found")


class OfferNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("offer not found")


class TransitionNotAllowed(Conflict):
    def __init__(self, current: str, wanted: str, allowed: list[str]) -> None:
        hint = f"from {current} it can go to: {', '.join(allowed)}" if allowed else "it is final"
        super().__init__(f"the ticket is {current} and cannot become {wanted}; {hint}")


class NotTheAssignee(PermissionDenied):
    def __init__(self) -> None:
        super().__init__("this ticket is not assigned to you; only its assignee can do this")


class ExpertAtCapacity(Conflict):
    def __init__(self, channel: str, capacity: int) -> None:
        super().__init__(
            f"you already work {capacity} {channel} ticket(s), your capacity; resolve one first "
            "or raise your capacity in your profile"
        )


class IdempotencyKeyReused(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was used with a different request body; "
            "use a new key for a new ticket"
        )


class InquiryRejected(NotFound):
    """The inquiry with this id was never made a ticket."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"this ticket was never made: its program no longer took it in ({problem})"
        )


class InvalidTicket(InvalidInput):
    pass


class CategoryMissing(InvalidTicket):
    """No category was sent and none could be picked from the message."""


class TicketClosed(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"the ticket is {status}; open a new ticket instead")


class AttachmentTooLarge(InvalidInput):
    status_code = 413

    def __init__(self, filename: str, size: int, limit: int) -> None:
        super().__init__(
            f"the file {filename!r} is {size:,} bytes; files may be at most {limit:,} bytes: "
            "send a smaller one or a link to it"
        )


class AttachmentTypeRefused(InvalidInput):
    status_code = 415

    def __init__(self, filename: str, found: str) -> None:
        super().__init__(
            f"the file {filename!r} looks like {found}, which is not taken; send images (PNG, "
            "JPEG, GIF, WebP), PDF, plain text or CSV, or Office documents"
        )


class AttachmentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("attachment not found")
