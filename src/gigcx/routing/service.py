"""Routing: offer each ticket to the best eligible expert, and handle the answers."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.db.dialect import locked, serialize
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.routing import scoring
from gigcx.routing.enums import EscalationReason
from gigcx.routing.errors import OfferExpired, OfferNotPending
from gigcx.routing.queries import find_candidates
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import ROUTABLE_STATUSES, OfferStatus, TicketStatus
from gigcx.tickets.errors import OfferNotFound
from gigcx.tickets.models import Offer, Ticket
from gigcx.tickets.queries import readable_offers


@dataclass
class RouteOutcome:
    action: str  # offered, queued, escalated or skipped
    reason: str | None = None
    offers: list[Offer] = field(default_factory=list)


def route_ticket(session: Session, ticket_id: uuid.UUID) -> RouteOutcome:
    """Offer the ticket to the best eligible expert(s), queue it, or escalate it."""
    ticket = tickets_service.lock_ticket(session, SYSTEM, ticket_id)
    return route_locked(session, ticket)


def _escalate(session: Session, ticket: Ticket, reason: EscalationReason) -> RouteOutcome:
    tickets_service.escalate_locked(session, ticket, actor=SYSTEM, reason=reason.value)
    return RouteOutcome("escalated", reason.value)


def _escalation_due(ticket: Ticket, program: Program) -> EscalationReason | None:
    category = program.category(ticket.category)
    if category is None or not category.is_gig_eligible:
        return EscalationReason.INHOUSE_CATEGORY
    if ticket.offer_count >= program.max_offers:
        return EscalationReason.MAX_OFFERS
    waiting_from = ticket.queued_at or ticket.created_at
    if clock.now() >= waiting_from + timedelta(seconds=program.max_wait_seconds):
        return EscalationReason.MAX_WAIT
    return None


def route_locked(session: Session, ticket: Ticket) -> RouteOutcome:
    """Route a ticket whose row the caller holds locked."""
    if ticket.status not in ROUTABLE_STATUSES:
        return RouteOutcome("skipped", f"ticket is {ticket.status}")
    program = ticket.program
    reason = _escalation_due(ticket, program)
    if reason is not None:
        return _escalate(session, ticket, reason)
    category = program.category(ticket.category)
    assert category is not None
    candidates = find_candidates(session, ticket, required_level=category.required_skill_level)
    if not candidates:
        return _escalate(session, ticket, EscalationReason.NO_EXPERT_ONLINE)
    free = [c for c in candidates if c.has_free_capacity]
    if ticket.status == TicketStatus.NEW:
        tickets_service.transition(session, ticket, TicketStatus.QUEUED, actor=SYSTEM)
    if not free:
        return RouteOutcome("queued", "every eligible expert online is at capacity")
    now = clock.now()
    ranked = scoring.rank(free, program.routing_weights, now)
    chosen = _choose(ranked, ticket, program)
    tickets_service.transition(
        session, ticket, TicketStatus.OFFERED, actor=SYSTEM, data={"offers": len(chosen)}
    )
    expires_at = now + timedelta(seconds=program.offer_ttl_seconds)
    pay_basis = brands_service.pay_basis(
        program,
        category_key=ticket.category,
        complexity=ticket.complexity,
        language=ticket.language,
        at=now,
    )
    offers = [
        Offer(
            ticket_id=ticket.id,
            expert_id=choice.candidate.expert_id,
            rank=rank,
            score=choice.score,
            breakdown=_explain(choice, ticket),
            expires_at=expires_at,
            pay_basis=pay_basis,
        )
        for rank, choice in enumerate(chosen, start=1)
    ]
    session.add_all(offers)
    ticket.offer_count += len(offers)
    session.flush()
    for offer in offers:
        jobs_service.enqueue(
            session, "routing.expire_offer", {"offer_id": str(offer.id)}, run_at=expires_at
        )
    return RouteOutcome("offered", offers=offers)


def _choose(ranked: list[scoring.Scored], ticket: Ticket, program: Program) -> list[scoring.Scored]:
    """A customer's follow-up goes to the expert who handled the ticket, if they are eligible."""
    if ticket.last_expert_id is not None:
        for scored in ranked:
            if scored.candidate.expert_id == ticket.last_expert_id:
                return [scored]
    room = program.max_offers - ticket.offer_count
    return ranked[: max(min(program.offers_at_once, room), 1)]


def _explain(choice: scoring.Scored, ticket: Ticket) -> dict[str, Any]:
    explanation = choice.explain()
    if choice.candidate.expert_id == ticket.last_expert_id:
        explanation["previous_expert"] = True
    return explanation


def _own_offer(session: Session, principal: Principal, offer_id: uuid.UUID) -> Offer:
    offer = session.scalar(readable_offers(principal).where(Offer.id == offer_id))
    if offer is None or offer.expert_id != principal.expert_id:
        raise OfferNotFound()
    return offer


def _lock_offer_and_ticket(session: Session, offer: Offer) -> tuple[Offer, Ticket]:
    # Always the ticket first, then its offers: one lock order, no deadlocks.
    ticket = tickets_service.lock_ticket(session, SYSTEM, offer.ticket_id)
    statement = locked(session, select(Offer).where(Offer.id == offer.id))
    fresh = session.scalars(statement.execution_options(populate_existing=True)).one()
    return fresh, ticket


def accept_offer(session: Session, principal: Principal, offer_id: uuid.UUID) -> Offer:
    """Accept an offer: the ticket becomes the expert's; other pending offers are rescinded."""
    offer, ticket = _lock_offer_and_ticket(session, _own_offer(session, principal, offer_id))
    if offer.status != OfferStatus.PENDING:
        raise OfferNotPending(offer.status)
    now = clock.now()
    if offer.expires_at <= now:
        raise OfferExpired(offer.expires_at.isoformat())
    tickets_service.assign(session, ticket, offer.expert_id, actor=principal)
    offer.status = OfferStatus.ACCEPTED
    offer.responded_at = now
    tickets_service.rescind_pending_offers(session, ticket, keep=offer.id)
    session.flush()
    return offer


def decline_offer(session: Session, principal: Principal, offer_id: uuid.UUID) -> Offer:
    """Decline an offer; the ticket goes to the next best expert."""
    offer, ticket = _lock_offer_and_ticket(session, _own_offer(session, principal, offer_id))
    if offer.status != OfferStatus.PENDING:
        raise OfferNotPending(offer.status)
    _close_offer(session, offer, ticket, OfferStatus.DECLINED)
    return offer


def expire_offer(session: Session, offer_id: uuid.UUID) -> None:
    """Expire an offer past its deadline and offer the ticket again."""
    offer = session.get(Offer, offer_id)
    if offer is None:
        return
    offer, ticket = _lock_offer_and_ticket(session, offer)
    if offer.status != OfferStatus.PENDING or offer.expires_at > clock.now():
        return
    _close_offer(session, offer, ticket, OfferStatus.EXPIRED)


def _close_offer(session: Session, offer: Offer, ticket: Ticket, status: OfferStatus) -> None:
    offer.status = status
    offer.responded_at = clock.now()
    session.flush()
    if ticket.status == TicketStatus.OFFERED and not tickets_service.pending_offer_count(
        session, ticket.id
    ):
        tickets_service.transition(
            session, ticket, TicketStatus.QUEUED, actor=SYSTEM, reason=f"offer {status}"
        )
        route_locked(session, ticket)


def dispatch(session: Session, program_id: uuid.UUID, *, limit: int = 50) -> int:
    """Offer a program's queued tickets, by priority then age; return how many were offered."""
    # One dispatcher per program at a time, and no SKIP LOCKED: a dispatcher that waited re-reads
    # the queue after the one before it committed, so freed capacity never goes unnoticed.
    serialize(session, f"routing.dispatch:{program_id}")
    statement = locked(
        session,
        select(Ticket)
        .where(Ticket.program_id == program_id, Ticket.status == TicketStatus.QUEUED)
        .order_by(Ticket.priority, Ticket.queued_at)
        .limit(limit),
    )
    offered = 0
    for ticket in session.scalars(statement.execution_options(populate_existing=True)).all():
        if route_locked(session, ticket).action == "offered":
            offered += 1
    return offered


def escalate_if_waiting(session: Session, ticket_id: uuid.UUID) -> None:
    """Escalate a ticket no expert has taken within the program's max wait."""
    ticket = tickets_service.lock_ticket(session, SYSTEM, ticket_id)
    if ticket.status in {TicketStatus.NEW, TicketStatus.QUEUED, TicketStatus.OFFERED}:
        _escalate(session, ticket, EscalationReason.MAX_WAIT)


def explain(session: Session, principal: Principal, ticket_id: uuid.UUID) -> Sequence[Offer]:
    """Return every offer made for a ticket with its score breakdown, first offer first."""
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    statement = (
        readable_offers(principal)
        .where(Offer.ticket_id == ticket.id)
        .order_by(Offer.created_at, Offer.rank)
    )
    return session.scalars(statement).all()


def pending_offers_for(session: Session, principal: Principal) -> Sequence[Offer]:
    """The signed-in expert's pending offers, soonest deadline first."""
    statement = (
        readable_offers(principal)
        .where(Offer.status == OfferStatus.PENDING, Offer.expires_at > clock.now())
        .order_by(Offer.expires_at)
    )
    return session.scalars(statement).all()
