from enum import StrEnum


class RequestKind(StrEnum):
    EXPORT = "export"
    ERASURE = "erasure"


class SubjectKind(StrEnum):
    CUSTOMER = "customer"
    EXPERT = "expert"


class RequestStatus(StrEnum):
    QUEUED = "queued"
    DONE = "done"
    # A legal hold was set after the request and before its job ran: nothing was erased.
    REFUSED = "refused"
    # The archive of a finished export was deleted (its keep time ran out, or the person was
    # erased since).
    EXPIRED = "expired"


class ErasureCause(StrEnum):
    """Why a ticket's content was wiped."""

    REQUEST = "request"
    RETENTION = "retention"
