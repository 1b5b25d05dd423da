"""Queue dispatch: whenever capacity may have freed, offer queued work by aged priority.

Every path on which an expert may gain room or eligibility enqueues the job ``routing.dispatch``
in its own transaction (outbox): an assignment or a pending offer ends (tickets and routing),
presence, capacity, languages or skills change (experts), an enrollment becomes active or a
certification current, a program's rules change; and a ticket that routing leaves queued asks
for one more look after its commit. A dispatch for an expert dispatches every program the
expert serves.

Queued work ages: a ticket's effective priority is its priority minus one step per
``aging_seconds`` it has waited (lower goes first), so dispatch orders the queue by

    queued_at + (priority - 1) x aging_seconds

which stays fixed while tickets wait; ties go to the ticket that waited longer.
"""

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Program
from gigcx.db.dialect import epoch_seconds, serialize
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.routing.enums import EscalationReason
from gigcx.routing.models import RoutingRoster
from gigcx.routing.queries import EXCLUDING_OFFER_STATUSES
from gigcx.routing.service._route import escalate, route_locked, wait_deadline
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.models import Offer, Ticket

WAITING_STATUSES = frozenset({TicketStatus.NEW, TicketStatus.QUEUED, TicketStatus.OFFERED})


def effective_priority(ticket: Ticket, program: Program, at: datetime) -> float:
    """The ticket's priority less one step per aging interval waited (lower goes first)."""
    waited = (at - (ticket.queued_at or ticket.created_at)).total_seconds()
    return ticket.priority - max(waited, 0.0) / max(program.aging_seconds, 1)


def queue_order(session: Session, aging_seconds: int) -> ColumnElement[Any]:
    """The dispatch sort key: when the ticket was queued plus its priority's handicap."""
    queued_at = func.coalesce(Ticket.queued_at, Ticket.created_at)
    return epoch_seconds(session, queued_at) + (Ticket.priority - 1) * max(aging_seconds, 1)


def dispatch(session: Session, program_id: uuid.UUID) -> int:
    """Offer a program's queued tickets, by aged priority; return how many were offered."""
    # One dispatcher per program at a time, and no SKIP LOCKED: a dispatcher that waited re-reads
    # the queue after the one before it committed, so freed capacity never goes unnoticed.
    serialize(session, f"routing.dispatch:{program_id}")
    program = session.get(Program, program_id)
    if program is None:
        return 0
    queue = session.execute(
        select(Ticket.id, Ticket.language, Ticket.category, Ticket.channel, Ticket.offer_count)
        .where(Ticket.program_id == program_id, Ticket.status == TicketStatus.QUEUED)
        .order_by(queue_order(session, program.aging_seconds), Ticket.queued_at, Ticket.id)
    ).all()
    excluded = _excluded_experts(session, [row.id for row in queue if row.offer_count])
    # Per language, category and channel: the experts excluded from a ticket that found every
    # other eligible expert at capacity. A later ticket that excludes at least those finds the
    # same (nobody gains room during a dispatch), so it is not routed in vain.
    full: dict[tuple[str, str, str], list[frozenset[uuid.UUID]]] = defaultdict(list)
    offered = 0
    for row in queue:
        kind = (row.language, row.category, row.channel)
        exclusions = excluded.get(row.id, frozenset())
        if any(known <= exclusions for known in full[kind]):
            continue
        ticket = tickets_service.lock_ticket(session, SYSTEM, row.id)
        if ticket.status != TicketStatus.QUEUED:
            continue
        outcome = route_locked(session, ticket, in_dispatch=True)
        if outcome.action == "offered":
            offered += 1
        elif outcome.action == "queued":
            full[kind].append(exclusions)
    return offered


def _excluded_experts(
    session: Session, ticket_ids: list[uuid.UUID]
) -> dict[uuid.UUID, frozenset[uuid.UUID]]:
    if not ticket_ids:
        return {}
    rows = session.execute(
        select(Offer.ticket_id, Offer.expert_id).where(
            Offer.ticket_id.in_(ticket_ids), Offer.status.in_(EXCLUDING_OFFER_STATUSES)
        )
    ).all()
    found: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for ticket_id, expert_id in rows:
        found[ticket_id].add(expert_id)
    return {ticket_id: frozenset(experts) for ticket_id, experts in found.items()}


def dispatch_for_expert(session: Session, expert_id: uuid.UUID) -> int:
    """Dispatch every program in which the expert may take work now (available, active)."""
    programs = session.scalars(
        select(RoutingRoster.program_id)
        .where(RoutingRoster.expert_id == expert_id)
        .distinct()
        .order_by(RoutingRoster.program_id)
    ).all()
    # Programs in one order in every transaction: their dispatch locks never deadlock.
    return sum(dispatch(session, program_id) for program_id in programs)


def escalate_if_waiting(session: Session, ticket_id: uuid.UUID, *, since: str | None) -> None:
    """Escalate a ticket no expert took within the program's max wait of this round.

    A check from an earlier round (the ticket was reopened since) does nothing; the current
    round has its own. If the program's max wait grew, the check runs again at the new time.
    """
    ticket = tickets_service.lock_ticket(session, SYSTEM, ticket_id)
    if ticket.status not in WAITING_STATUSES:
        return
    if not tickets_service.is_current_round(ticket, since):
        return
    deadline = wait_deadline(ticket, ticket.program)
    if clock.now() < deadline:
        payload = {"ticket_id": str(ticket.id), "since": ticket_round(ticket)}
        jobs_service.enqueue(session, "routing.escalate_if_waiting", payload, run_at=deadline)
        return
    escalate(session, ticket, EscalationReason.MAX_WAIT)


def ticket_round(ticket: Ticket) -> str:
    return tickets_service.wait_started_at(ticket).isoformat()
