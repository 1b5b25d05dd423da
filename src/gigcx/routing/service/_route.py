"""Route one ticket: offer it to the best eligible expert(s), leave it queued, or escalate it."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.auth.principal import SYSTEM
from gigcx.brands import service as brands_service
from gigcx.brands.enums import RoutingPolicy
from gigcx.brands.models import Program
from gigcx.jobs import events
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.routing import gates, memory, policies, scoring
from gigcx.routing.enums import EscalationReason, WaitReason
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import ROUTABLE_STATUSES, TicketStatus
from gigcx.tickets.models import Offer, Ticket


@dataclass
class RouteOutcome:
    action: str  # offered, queued, escalated or skipped
    reason: str | None = None
    offers: list[Offer] = field(default_factory=list)


def route_ticket(session: Session, ticket_id: uuid.UUID) -> RouteOutcome:
    """Offer the ticket to the best eligible expert(s), queue it, or escalate it."""
    ticket = tickets_service.lock_ticket(session, SYSTEM, ticket_id)
    return route_locked(session, ticket)


def escalate(session: Session, ticket: Ticket, reason: EscalationReason) -> RouteOutcome:
    tickets_service.escalate_locked(session, ticket, actor=SYSTEM, reason=reason.value)
    return RouteOutcome("escalated", reason.value)


def escalation_due(ticket: Ticket, program: Program) -> EscalationReason | None:
    """The rule that sends the ticket to the in-house team now, if one does."""
    category = program.category(ticket.category)
    if category is None or not category.is_gig_eligible:
        return EscalationReason.INHOUSE_CATEGORY
    if ticket.offer_count >= program.max_offers:
        return EscalationReason.MAX_OFFERS
    if clock.now() >= wait_deadline(ticket, program):
        return EscalationReason.MAX_WAIT
    return None


def wait_deadline(ticket: Ticket, program: Program) -> datetime:
    """When this round's wait for an expert ends in an escalation (the program's max wait)."""
    started = tickets_service.wait_started_at(ticket)
    return started + timedelta(seconds=program.max_wait_seconds)


def route_locked(session: Session, ticket: Ticket, *, in_dispatch: bool = False) -> RouteOutcome:
    """Route a ticket whose row the caller holds locked.

    A ticket left queued here (every eligible expert at capacity) is looked at again by a
    dispatch of its program after this transaction commits: an expert whose room a concurrent
    transaction freed after the read below then gets it. A dispatch itself (``in_dispatch``)
    needs no such second look.
    """
    if ticket.status not in ROUTABLE_STATUSES:
        return RouteOutcome("skipped", f"ticket is {ticket.status}")
    program = ticket.program
    reason = escalation_due(ticket, program)
    if reason is not None:
        return escalate(session, ticket, reason)
    category = program.category(ticket.category)
    assert category is not None
    candidates = memory.pool(session, ticket, required_level=category.required_skill_level)
    candidates = compliant(session, ticket, candidates)
    if not len(candidates):
        return escalate(session, ticket, EscalationReason.NO_EXPERT_ONLINE)
    free = candidates.free()
    if ticket.status == TicketStatus.NEW:
        tickets_service.transition(session, ticket, TicketStatus.QUEUED, actor=SYSTEM)
    if not len(free):
        if not in_dispatch:
            jobs_service.enqueue(session, "routing.dispatch", {"program_id": str(program.id)})
        return RouteOutcome("queued", WaitReason.AT_CAPACITY.value)
    now = clock.now()
    if program.routing_policy == RoutingPolicy.SCORE:
        # Only the best few are scored in full: those _choose may pick.
        first = offers_room(ticket, program)
        ranked = free.ranked(
            program.routing_weights, now, first=first, include=ticket.last_expert_id
        )
    else:
        ranked = free.ranked(program.routing_weights, now)
        ranked = policies.reorder(session, program, ticket, ranked)
    chosen = _choose(ranked, ticket, program)
    offered_to = [str(choice.candidate.expert_id) for choice in chosen]
    tickets_service.transition(
        session,
        ticket,
        TicketStatus.OFFERED,
        actor=SYSTEM,
        data={"offers": len(chosen), "expert_ids": offered_to},
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
            created_at=now,
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
    events.emit(
        session,
        brand_id=ticket.brand_id,
        event_type=events.EventType.TICKET_OFFERED,
        data={
            "ticket_id": str(ticket.id),
            "offers": [
                {
                    "offer_id": str(offer.id),
                    "expert_id": str(offer.expert_id),
                    "expires_at": expires_at.isoformat(),
                }
                for offer in offers
            ],
        },
    )
    return RouteOutcome("offered", offers=offers)


def compliant(session: Session, ticket: Ticket, candidates: memory.Pool) -> memory.Pool:
    """Drop the candidates a compliance rule stops from the brand's offers (agreements,
    country, work authorisation, identity check, weekly hour caps: gigcx.experts.compliance)."""
    if not len(candidates):
        return candidates
    blocked = gates.blocked_experts(session, ticket.brand_id, candidates.expert_ids(), clock.now())
    return candidates.without(blocked)


def _choose(ranked: list[scoring.Scored], ticket: Ticket, program: Program) -> list[scoring.Scored]:
    """A customer's follow-up goes to the expert who handled the ticket, if they are eligible."""
    if ticket.last_expert_id is not None:
        for scored in ranked:
            if scored.candidate.expert_id == ticket.last_expert_id:
                return [scored]
    return ranked[: offers_room(ticket, program)]


def offers_room(ticket: Ticket, program: Program) -> int:
    """How many experts one routing offers the ticket to at once (at least one)."""
    return max(min(program.offers_at_once, program.max_offers - ticket.offer_count), 1)


def _explain(choice: scoring.Scored, ticket: Ticket) -> dict[str, Any]:
    explanation = choice.explain()
    if choice.candidate.expert_id == ticket.last_expert_id:
        explanation["previous_expert"] = True
    return explanation
