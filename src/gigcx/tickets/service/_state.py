"""The ticket state machine: the one place that sets ``ticket.status``."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.db import notify
from gigcx.db.dialect import locked
from gigcx.experts import service as experts_service
from gigcx.jobs import events
from gigcx.kit import clock
from gigcx.tickets.enums import ALLOWED_TRANSITIONS, AssignmentEnd, OfferStatus, TicketStatus
from gigcx.tickets.errors import TicketNotFound, TransitionNotAllowed
from gigcx.tickets.models import Assignment, Offer, Ticket
from gigcx.tickets.queries import readable_tickets
from gigcx.tickets.service._sla import schedule_sla_checks, schedule_wait_check


def get_ticket(session: Session, principal: Principal, ticket_id: uuid.UUID) -> Ticket:
    """Return a ticket the principal may read, or raise TicketNotFound."""
    ticket = session.scalar(readable_tickets(principal).where(Ticket.id == ticket_id))
    if ticket is None:
        raise TicketNotFound()
    return ticket


def lock_ticket(session: Session, principal: Principal, ticket_id: uuid.UUID) -> Ticket:
    """Return a readable ticket, its row locked until commit and its fields fresh."""
    statement = locked(session, readable_tickets(principal).where(Ticket.id == ticket_id))
    ticket = session.scalar(statement.execution_options(populate_existing=True))
    if ticket is None:
        raise TicketNotFound()
    return ticket


def transition(
    session: Session,
    ticket: Ticket,
    to: TicketStatus,
    *,
    actor: Principal,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Move a locked ticket to ``to`` if the transition table allows it, and audit it."""
    current = TicketStatus(ticket.status)
    allowed = ALLOWED_TRANSITIONS[current]
    if to not in allowed:
        raise TransitionNotAllowed(current, to, sorted(allowed))
    now = clock.now()
    ticket.status = to
    ticket.status_changed_at = now
    if to == TicketStatus.QUEUED:
        ticket.queued_at = ticket.queued_at or now
    if current == TicketStatus.WAITING_ON_CUSTOMER and ticket.waiting_since is not None:
        # The resolution clock stands still while the customer has the ball.
        ticket.resolution_due_at += now - ticket.waiting_since
        ticket.waiting_since = None
    if to == TicketStatus.WAITING_ON_CUSTOMER:
        ticket.waiting_since = now
    if to == TicketStatus.RESOLVED:
        ticket.resolved_at = now
    if to == TicketStatus.CLOSED:
        ticket.closed_at = now
    if current == TicketStatus.RESOLVED and to == TicketStatus.QUEUED:
        _reopen(session, ticket, now)
    audit_service.record(
        session,
        actor=actor,
        action="ticket.status_changed",
        subject_type="ticket",
        subject_id=ticket.id,
        brand_id=ticket.brand_id,
        data={"from": current.value, "to": to.value, "reason": reason, **(data or {})},
    )
    _announce(session, ticket, current, to, reason)


_EVENT_FOR_STATUS = {
    TicketStatus.WAITING_ON_CUSTOMER: events.EventType.TICKET_WAITING,
    TicketStatus.RESOLVED: events.EventType.TICKET_RESOLVED,
    TicketStatus.ESCALATED: events.EventType.TICKET_ESCALATED,
    TicketStatus.CLOSED: events.EventType.TICKET_CLOSED,
    TicketStatus.CANCELED: events.EventType.TICKET_CANCELED,
}


def _announce(
    session: Session, ticket: Ticket, current: TicketStatus, to: TicketStatus, reason: str | None
) -> None:
    """Tell the channels of a status others care about (assignment and offers say it themselves)."""
    event_type = _EVENT_FOR_STATUS.get(to)
    if current == TicketStatus.RESOLVED and to == TicketStatus.QUEUED:
        event_type = events.EventType.TICKET_REOPENED
    if event_type is None:
        return
    events.emit(
        session,
        brand_id=ticket.brand_id,
        event_type=event_type,
        data={"ticket_id": str(ticket.id), "reason": reason},
    )


def _reopen(session: Session, ticket: Ticket, now: datetime) -> None:
    """A follow-up reopened the ticket: a new round of waiting, with its clocks armed again."""
    program = session.get_one(Program, ticket.program_id)
    ticket.resolved_at = None
    ticket.queued_at = now
    ticket.reopened_at = now
    ticket.resolution_due_at = now + timedelta(seconds=program.resolution_seconds)
    schedule_wait_check(session, ticket, program)
    schedule_sla_checks(session, ticket, program, clocks=("resolution",))


def end_assignment(session: Session, ticket: Ticket, reason: AssignmentEnd) -> uuid.UUID | None:
    """Close the ticket's open assignment, if any; return the expert who held it.

    The expert has room again: routing offers them waiting work once this commits.
    """
    assignment = session.scalar(
        select(Assignment).where(Assignment.ticket_id == ticket.id, Assignment.ended_at.is_(None))
    )
    ticket.assignee_id = None
    if assignment is None:
        return None
    assignment.ended_at = clock.now()
    assignment.end_reason = reason
    experts_service.request_dispatch(session, assignment.expert_id)
    return assignment.expert_id


def rescind_pending_offers(
    session: Session, ticket: Ticket, *, keep: uuid.UUID | None = None
) -> int:
    """Withdraw the ticket's pending offers (but ``keep``); return how many.

    A pending offer holds a seat of its expert's capacity: each expert whose offer is withdrawn
    has room again, and routing offers them waiting work once this commits.
    """
    pending = select(Offer.id, Offer.expert_id).where(
        Offer.ticket_id == ticket.id, Offer.status == OfferStatus.PENDING
    )
    if keep is not None:
        pending = pending.where(Offer.id != keep)
    rows = session.execute(pending).all()
    if not rows:
        return 0
    session.execute(
        update(Offer)
        .where(Offer.id.in_([offer_id for offer_id, _ in rows]))
        .values(status=OfferStatus.RESCINDED, responded_at=clock.now())
        .execution_options(synchronize_session="fetch")
    )
    for expert_id in sorted({expert_id for _, expert_id in rows}):
        experts_service.request_dispatch(session, expert_id)
        # A bulk UPDATE: the flush does not see these offers change.
        notify.touch(session, notify.expert_topic(expert_id))
    return len(rows)


def pending_offer_count(session: Session, ticket_id: uuid.UUID) -> int:
    statement = select(Offer.id).where(
        Offer.ticket_id == ticket_id, Offer.status == OfferStatus.PENDING
    )
    return len(session.scalars(statement).all())
