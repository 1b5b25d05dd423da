"""Why a ticket waits, in plain words, from the same rules and eligibility routing uses."""

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.errors import PermissionDenied
from gigcx.kit import clock
from gigcx.routing import memory
from gigcx.routing.enums import EscalationReason, WaitReason
from gigcx.routing.queries import count_enrolled_matches, count_excluded
from gigcx.routing.service._dispatch import WAITING_STATUSES, effective_priority
from gigcx.routing.service._route import escalation_due, wait_deadline
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import OfferStatus, TicketStatus
from gigcx.tickets.models import Offer, Ticket

_ESCALATION_REASONS = {
    EscalationReason.INHOUSE_CATEGORY: WaitReason.INHOUSE_CATEGORY,
    EscalationReason.MAX_OFFERS: WaitReason.MAX_OFFERS,
    EscalationReason.MAX_WAIT: WaitReason.MAX_WAIT,
}


@dataclass(frozen=True)
class Waiting:
    """Why a ticket waits for an expert, and what happens next."""

    reason: WaitReason
    details: list[str] = field(default_factory=list)
    queued_at: datetime | None = None
    effective_priority: float | None = None
    escalates_at: datetime | None = None

    @property
    def sentence(self) -> str:
        text = str(self.reason.value)
        return text[0].upper() + text[1:] + "."


def why_waiting(session: Session, principal: Principal, ticket_id: uuid.UUID) -> Waiting | None:
    """Why the ticket waits for an expert now; None when it does not wait (brand staff only)."""
    if not (principal.is_brand_staff or principal.is_platform_admin or principal.is_system):
        raise PermissionDenied("only the brand's staff see why a ticket waits")
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    if ticket.status not in WAITING_STATUSES:
        return None
    program = ticket.program
    now = clock.now()
    escalates_at = wait_deadline(ticket, program)
    base = Waiting(
        WaitReason.TRIAGE,
        queued_at=ticket.queued_at,
        effective_priority=round(effective_priority(ticket, program, now), 2),
        escalates_at=escalates_at,
    )
    if ticket.status == TicketStatus.NEW:
        return base
    if ticket.status == TicketStatus.OFFERED:
        return replace(base, reason=WaitReason.OFFERED, details=_offered(session, ticket))
    rule = escalation_due(ticket, program)
    if rule is not None:
        details = ["It goes to your in-house team the next time routing looks at it."]
        return replace(base, reason=_ESCALATION_REASONS[rule], details=details)
    category = program.category(ticket.category)
    assert category is not None
    level = category.required_skill_level
    candidates = memory.pool(session, ticket, required_level=level).candidates()
    excluded = count_excluded(session, ticket)
    details = []
    if excluded:
        details.append(f"{_experts(excluded)} declined it or let the offer lapse.")
    if not candidates:
        enrolled = count_enrolled_matches(session, ticket, required_level=level)
        needs = (
            f"speaks {ticket.language.upper()}, has {ticket.category} at level {level} or more "
            f"and takes {ticket.channel}"
        )
        if enrolled == 0:
            details.append(f"No expert in the program {needs}.")
        else:
            certified = " with a current certification" if program.requires_certification else ""
            details.append(
                f"{_experts(enrolled)} in the program could take it; none is available"
                f"{certified} right now."
            )
        return replace(base, reason=WaitReason.NO_EXPERT_ONLINE, details=details)
    free = [c for c in candidates if c.has_free_capacity]
    if free:
        return replace(base, reason=WaitReason.ROOM_NOW, details=details)
    held = sum(c.working + c.pending for c in candidates)
    seats = sum(c.capacity for c in candidates)
    details.append(
        f"{_experts(len(candidates))} online could take it; they hold {held} of their "
        f"{seats} {ticket.channel} seats (tickets and pending offers)."
    )
    return replace(base, reason=WaitReason.AT_CAPACITY, details=details)


def _offered(session: Session, ticket: Ticket) -> list[str]:
    count, due = session.execute(
        select(func.count(), func.min(Offer.expires_at)).where(
            Offer.ticket_id == ticket.id, Offer.status == OfferStatus.PENDING
        )
    ).one()
    if not count:
        return []
    return [f"Offered to {_experts(count)}; the first answer is due by {due:%H:%M:%S} UTC."]


def _experts(count: int) -> str:
    return "1 expert" if count == 1 else f"{count} experts"
