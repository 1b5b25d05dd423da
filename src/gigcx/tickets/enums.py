from enum import IntEnum, StrEnum


class TicketStatus(StrEnum):
    NEW = "new"
    QUEUED = "queued"
    OFFERED = "offered"
    ASSIGNED = "assigned"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"
    ESCALATED = "escalated"
    CANCELED = "canceled"


class InquiryStatus(StrEnum):
    """Where an inquiry taken in by the API without waiting for its ticket stands."""

    RECEIVED = "received"  # stored; a job runner makes the ticket and routes it next
    TAKEN_IN = "taken_in"  # its ticket exists (``ticket_id``)
    REJECTED = "rejected"  # the program no longer takes it (``problem`` says why)


S = TicketStatus
ALLOWED_TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    # NEW -> RESOLVED: the bot answered from an approved answer before routing.
    S.NEW: frozenset({S.QUEUED, S.ESCALATED, S.CANCELED, S.RESOLVED}),
    S.QUEUED: frozenset({S.OFFERED, S.ESCALATED, S.CANCELED}),
    S.OFFERED: frozenset({S.ASSIGNED, S.QUEUED, S.ESCALATED, S.CANCELED}),
    S.ASSIGNED: frozenset({S.WAITING_ON_CUSTOMER, S.RESOLVED, S.ESCALATED, S.CANCELED}),
    S.WAITING_ON_CUSTOMER: frozenset({S.ASSIGNED, S.RESOLVED, S.ESCALATED, S.CANCELED}),
    S.RESOLVED: frozenset({S.CLOSED, S.QUEUED}),
    S.ESCALATED: frozenset({S.RESOLVED, S.CANCELED}),
    S.CLOSED: frozenset(),
    S.CANCELED: frozenset(),
}
OPEN_STATUSES = frozenset(set(TicketStatus) - {S.RESOLVED, S.CLOSED, S.CANCELED})
ROUTABLE_STATUSES = frozenset({S.NEW, S.QUEUED})
EXPERT_WORKING_STATUSES = frozenset({S.ASSIGNED, S.WAITING_ON_CUSTOMER})


class Priority(IntEnum):
    """Lower numbers are served first."""

    URGENT = 1
    HIGH = 2
    NORMAL = 3
    LOW = 4


class AuthorKind(StrEnum):
    CUSTOMER = "customer"
    EXPERT = "expert"
    AGENT = "agent"
    SYSTEM = "system"
    BOT = "bot"


class AssignmentEnd(StrEnum):
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    CANCELED = "canceled"
    REOPENED = "reopened"


class OfferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    RESCINDED = "rescinded"
