from enum import StrEnum


class Provider(StrEnum):
    ZENDESK = "zendesk"


class SyncKind(StrEnum):
    """One write GigCX makes to the helpdesk."""

    PUBLIC_COMMENT = "public_comment"  # an expert's or agent's reply to the customer
    PRIVATE_COMMENT = "private_comment"  # an internal note
    SOLVE = "solve"  # the ticket was resolved here
    HAND_BACK = "hand_back"  # escalated: back to the brand's group, with the reason


class SyncStatus(StrEnum):
    QUEUED = "queued"
    DONE = "done"
    # Refused for good by the helpdesk (a closed ticket, a deleted one); kept with the error.
    FAILED = "failed"


class Direction(StrEnum):
    IN = "in"  # a helpdesk comment taken in as a customer message
    OUT = "out"  # one of our messages written to the helpdesk
