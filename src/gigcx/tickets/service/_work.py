"""Working a ticket: assignment, replies, waiting, resolution, escalation, closing."""

import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.errors import PermissionDenied
from gigcx.experts import service as experts_service
from gigcx.experts.models import ExpertCapacity
from gigcx.jobs import events
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.privacy import pii
from gigcx.tickets.enums import (
    EXPERT_WORKING_STATUSES,
    AssignmentEnd,
    AuthorKind,
    TicketStatus,
)
from gigcx.tickets.errors import ExpertAtCapacity, NotTheAssignee
from gigcx.tickets.models import Assignment, Message, Ticket
from gigcx.tickets.service._sla import wait_started_at
from gigcx.tickets.service._state import (
    end_assignment,
    lock_ticket,
    rescind_pending_offers,
    transition,
)

# A resolve retried because its answer was lost is told it happened if it comes this soon and
# the resolution was the caller's own. Clients retry within seconds or minutes; later, or for
# anyone else, or once the ticket moved on, the request is refused as ever.
REPEAT_WINDOW = timedelta(minutes=10)


def assign(session: Session, ticket: Ticket, expert_id: uuid.UUID, *, actor: Principal) -> None:
    """Give a locked, offered ticket to an expert, within the expert's capacity on its channel."""
    expert = experts_service.lock_expert(session, expert_id)
    capacity = session.scalar(
        select(ExpertCapacity.max_concurrent).where(
            ExpertCapacity.expert_id == expert.id, ExpertCapacity.channel == ticket.channel
        )
    )
    working = session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(
            Assignment.expert_id == expert.id,
            Assignment.channel == ticket.channel,
            Assignment.ended_at.is_(None),
        )
    )
    if capacity is None or (working or 0) >= capacity:
        raise ExpertAtCapacity(ticket.channel, capacity or 0)
    now = clock.now()
    transition(
        session, ticket, TicketStatus.ASSIGNED, actor=actor, data={"expert_id": str(expert.id)}
    )
    session.add(
        Assignment(ticket_id=ticket.id, expert_id=expert.id, channel=ticket.channel, started_at=now)
    )
    ticket.assignee_id = expert.id
    ticket.last_expert_id = expert.id
    expert.last_assigned_at = now
    events.emit(
        session,
        brand_id=ticket.brand_id,
        event_type=events.EventType.TICKET_ASSIGNED,
        data={"ticket_id": str(ticket.id), "expert_id": str(expert.id)},
    )
    session.flush()


def _require_assignee(principal: Principal, ticket: Ticket) -> None:
    if ticket.status not in EXPERT_WORKING_STATUSES or ticket.assignee_id != principal.expert_id:
        raise NotTheAssignee()


def _require_staff(principal: Principal) -> None:
    if not (principal.is_brand_staff or principal.is_platform_admin):
        raise PermissionDenied("only the brand's in-house team works escalated tickets")


def _require_worker(principal: Principal, ticket: Ticket) -> None:
    """Experts act on tickets they own; in-house staff on any ticket of their brand."""
    if principal.is_expert:
        _require_assignee(principal, ticket)
    elif not (principal.is_brand_staff or principal.is_platform_admin or principal.is_system):
        raise PermissionDenied("you cannot work on tickets")


def reply(
    session: Session, principal: Principal, ticket_id: uuid.UUID, body: str, *, is_internal: bool
) -> Message:
    """Answer the customer (or leave an internal note) as the assignee or in-house staff."""
    ticket = lock_ticket(session, principal, ticket_id)
    _require_worker(principal, ticket)
    kind = AuthorKind.EXPERT if principal.is_expert else AuthorKind.AGENT
    message = Message(
        ticket_id=ticket.id,
        author_kind=kind,
        author_id=principal.expert_id or principal.actor_id,
        body=body,
        is_internal=is_internal,
    )
    session.add(message)
    if not is_internal and ticket.first_response_at is None:
        ticket.first_response_at = clock.now()
    session.flush()
    announce_message(session, ticket, message)
    return message


def announce_message(session: Session, ticket: Ticket, message: Message) -> None:
    """Tell the channels of a new message on a ticket (flushed, so it has its id)."""
    if message.is_internal:
        event_type = events.EventType.TICKET_NOTE_ADDED
    elif message.author_kind == AuthorKind.CUSTOMER:
        event_type = events.EventType.TICKET_CUSTOMER_REPLIED
    else:
        event_type = events.EventType.TICKET_REPLIED
    events.emit(
        session,
        brand_id=ticket.brand_id,
        event_type=event_type,
        data={
            "ticket_id": str(ticket.id),
            "message_id": str(message.id),
            "author_kind": str(message.author_kind),
        },
    )


def mark_waiting(session: Session, principal: Principal, ticket_id: uuid.UUID) -> Ticket:
    """Hand the ball to the customer; silence for the program's window resolves the ticket."""
    ticket = lock_ticket(session, principal, ticket_id)
    _require_worker(principal, ticket)
    transition(session, ticket, TicketStatus.WAITING_ON_CUSTOMER, actor=principal)
    program = session.get_one(Program, ticket.program_id)
    assert ticket.waiting_since is not None
    jobs_service.enqueue(
        session,
        "tickets.resolve_if_silent",
        {"ticket_id": str(ticket.id), "waiting_since": ticket.waiting_since.isoformat()},
        run_at=ticket.waiting_since + timedelta(seconds=program.auto_resolve_after_seconds),
    )
    session.flush()
    return ticket


def resolve(session: Session, principal: Principal, ticket_id: uuid.UUID) -> Ticket:
    """Resolve the ticket; the expert who held it is paid once, by a job after commit.

    Resolving again what one just resolved answers with the resolved ticket (see REPEAT_WINDOW).
    """
    ticket = lock_ticket(session, principal, ticket_id)
    if is_own_recent_resolution(session, principal, ticket):
        return ticket
    if ticket.status == TicketStatus.ESCALATED:
        _require_staff(principal)
    else:
        _require_worker(principal, ticket)
    resolve_locked(session, ticket, actor=principal)
    return ticket


def is_own_recent_resolution(session: Session, principal: Principal, ticket: Ticket) -> bool:
    """Whether the ticket is resolved, within REPEAT_WINDOW, by this principal in this round."""
    if ticket.status != TicketStatus.RESOLVED or ticket.resolved_at is None:
        return False
    if clock.now() - ticket.resolved_at > REPEAT_WINDOW:
        return False
    if principal.is_expert:
        latest = session.scalar(
            select(Assignment)
            .where(Assignment.ticket_id == ticket.id)
            .order_by(Assignment.started_at.desc())
            .limit(1)
        )
        return (
            latest is not None
            and latest.expert_id == principal.expert_id
            and latest.end_reason == AssignmentEnd.RESOLVED
            and latest.ended_at is not None
            and latest.ended_at >= wait_started_at(ticket)
        )
    if principal.actor_id is None:
        return False
    events = audit_service.list_events(session, subject_type="ticket", subject_id=ticket.id)
    resolutions = [
        e
        for e in events
        if e.action == "ticket.status_changed" and e.data.get("to") == TicketStatus.RESOLVED
    ]
    return bool(resolutions) and resolutions[-1].actor_id == principal.actor_id


def resolve_locked(
    session: Session, ticket: Ticket, *, actor: Principal, reason: str | None = None
) -> None:
    expert_id = end_assignment(session, ticket, AssignmentEnd.RESOLVED)
    transition(session, ticket, TicketStatus.RESOLVED, actor=actor, reason=reason)
    program = session.get_one(Program, ticket.program_id)
    assert ticket.resolved_at is not None
    if expert_id is not None:
        jobs_service.enqueue(
            session,
            "payments.pay_resolution",
            {"ticket_id": str(ticket.id), "expert_id": str(expert_id)},
        )
        jobs_service.enqueue(session, "quality.sample_ticket", {"ticket_id": str(ticket.id)})
    jobs_service.enqueue(
        session,
        "tickets.close_if_resolved",
        {"ticket_id": str(ticket.id), "resolved_at": ticket.resolved_at.isoformat()},
        run_at=ticket.resolved_at + timedelta(seconds=program.auto_close_after_seconds),
    )
    session.flush()


def escalate(
    session: Session, principal: Principal, ticket_id: uuid.UUID, *, reason: str
) -> Ticket:
    """Hand the ticket to the program's in-house team, with the reason."""
    ticket = lock_ticket(session, principal, ticket_id)
    _require_worker(principal, ticket)
    escalate_locked(session, ticket, actor=principal, reason=reason)
    return ticket


def escalate_locked(session: Session, ticket: Ticket, *, actor: Principal, reason: str) -> None:
    reason = pii.redact_cards(reason)  # it is also kept in the audit trail
    end_assignment(session, ticket, AssignmentEnd.ESCALATED)
    rescind_pending_offers(session, ticket)
    transition(session, ticket, TicketStatus.ESCALATED, actor=actor, reason=reason)
    ticket.escalation_reason = reason
    session.flush()


def cancel(session: Session, principal: Principal, ticket_id: uuid.UUID) -> Ticket:
    """Withdraw the ticket (spam, duplicate): offers are rescinded, nobody is paid."""
    ticket = lock_ticket(session, principal, ticket_id)
    if not (principal.is_brand_staff or principal.is_platform_admin):
        raise PermissionDenied("only the brand's staff can cancel tickets")
    end_assignment(session, ticket, AssignmentEnd.CANCELED)
    rescind_pending_offers(session, ticket)
    transition(session, ticket, TicketStatus.CANCELED, actor=principal)
    session.flush()
    return ticket
