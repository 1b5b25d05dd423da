"""The live queue: what waits, what is on offer, who is online, which SLAs are at risk."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.brands.queries import readable_programs
from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import Enrollment, Expert, ExpertLanguage
from gigcx.experts.queries import readable_enrollments
from gigcx.kit import clock
from gigcx.tickets.enums import OPEN_STATUSES, OfferStatus, TicketStatus
from gigcx.tickets.models import Offer, Ticket
from gigcx.tickets.queries import readable_offers, readable_tickets

WAITING_STATUSES = (TicketStatus.NEW, TicketStatus.QUEUED, TicketStatus.OFFERED)
# A clock is at risk once less than this share of its window is left.
AT_RISK_SHARE = 0.2
LIST_LIMIT = 100


@dataclass(frozen=True, slots=True)
class WaitingTicket:
    ticket: Ticket
    program_name: str
    waiting_seconds: float

    @property
    def waiting_since(self) -> datetime:
        return self.ticket.queued_at or self.ticket.created_at


@dataclass(frozen=True, slots=True)
class OutstandingOffer:
    offer: Offer
    ticket: Ticket
    expert_name: str


@dataclass(frozen=True, slots=True)
class Staffing:
    """Experts with an active enrollment who speak the language, and how many are available."""

    program_name: str
    language: str
    eligible: int
    online: int


@dataclass(frozen=True, slots=True)
class SlaRisk:
    ticket: Ticket
    program_name: str
    clock: str  # "first response" or "resolution"
    due_at: datetime
    remaining_seconds: float

    @property
    def is_overdue(self) -> bool:
        return self.remaining_seconds <= 0


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    at: datetime
    waiting_total: int
    waiting: list[WaitingTicket]
    offers: list[OutstandingOffer]
    staffing: list[Staffing]
    experts_online: int
    at_risk: list[SlaRisk]
    # The first moment after ``at`` when the snapshot changes with the clock alone (an offer
    # runs out, a clock falls due or comes within reach of its due time; None: nothing will).
    # Waiting times and countdowns tick in the browser.
    next_change_at: datetime | None = None


def sla_risks(ticket: Ticket, program: Program, at: datetime) -> list[SlaRisk]:
    """The ticket's running SLA clocks that are past due or within 20% of their window."""
    if ticket.status not in OPEN_STATUSES:
        return []
    clocks: list[tuple[str, datetime, int]] = []
    if ticket.first_response_at is None:
        clocks.append(
            ("first response", ticket.first_response_due_at, program.first_response_seconds)
        )
    if ticket.status != TicketStatus.WAITING_ON_CUSTOMER:
        clocks.append(("resolution", ticket.resolution_due_at, program.resolution_seconds))
    risks = []
    for name, due_at, window_seconds in clocks:
        remaining = (due_at - at).total_seconds()
        if remaining <= window_seconds * AT_RISK_SHARE:
            risks.append(SlaRisk(ticket, program.name, name, due_at, remaining))
    return risks


def _waiting(session: Session, principal: Principal, at: datetime) -> tuple[int, list[Any]]:
    statement = readable_tickets(principal).where(Ticket.status.in_(WAITING_STATUSES))
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    waiting_from = func.coalesce(Ticket.queued_at, Ticket.created_at)
    rows = session.execute(
        statement.join(Program, Program.id == Ticket.program_id)
        .with_only_columns(Ticket, Program.name)
        .order_by(Ticket.priority, waiting_from, Ticket.id)
        .limit(LIST_LIMIT)
    ).all()
    waiting = [
        WaitingTicket(t, name, (at - (t.queued_at or t.created_at)).total_seconds())
        for t, name in rows
    ]
    return total, waiting


def _offers(session: Session, principal: Principal, at: datetime) -> list[OutstandingOffer]:
    rows = session.execute(
        readable_offers(principal)
        .join(Ticket, Ticket.id == Offer.ticket_id)
        .join(Expert, Expert.id == Offer.expert_id)
        .where(Offer.status == OfferStatus.PENDING, Offer.expires_at > at)
        .with_only_columns(Offer, Ticket, Expert.display_name)
        .order_by(Offer.expires_at, Offer.id)
        .limit(LIST_LIMIT)
    ).all()
    return [OutstandingOffer(offer, ticket, name) for offer, ticket, name in rows]


def staffing(session: Session, principal: Principal) -> list[Staffing]:
    """Per program and language it serves: eligible experts and those available right now."""
    is_online = case((Expert.presence == Presence.AVAILABLE, 1), else_=0)
    rows = session.execute(
        readable_enrollments(principal)
        .join(Expert, Expert.id == Enrollment.expert_id)
        .join(ExpertLanguage, ExpertLanguage.expert_id == Expert.id)
        .where(Enrollment.status == EnrollmentStatus.ACTIVE)
        .with_only_columns(
            Enrollment.program_id, ExpertLanguage.language, func.count(), func.sum(is_online)
        )
        .group_by(Enrollment.program_id, ExpertLanguage.language)
    ).all()
    counts = {(program_id, language): (n, online or 0) for program_id, language, n, online in rows}
    lines = []
    for program in session.scalars(readable_programs(principal).order_by(Program.name)):
        for language in program.languages:
            eligible, online = counts.get((program.id, language), (0, 0))
            lines.append(Staffing(program.name, language, int(eligible), int(online)))
    return lines


def _experts_online(session: Session, principal: Principal) -> int:
    """Distinct experts with an active enrollment in the brand's programs who are available."""
    statement = (
        readable_enrollments(principal)
        .join(Expert, Expert.id == Enrollment.expert_id)
        .where(Enrollment.status == EnrollmentStatus.ACTIVE, Expert.presence == Presence.AVAILABLE)
        .with_only_columns(func.count(func.distinct(Enrollment.expert_id)))
    )
    return int(session.scalar(statement) or 0)


def _at_risk(session: Session, principal: Principal, at: datetime) -> list[SlaRisk]:
    # Only tickets within reach of a threshold: the longest window bounds how far ahead to look.
    horizon = max(
        (
            max(p.first_response_seconds, p.resolution_seconds) * AT_RISK_SHARE
            for p in session.scalars(readable_programs(principal))
        ),
        default=0.0,
    )
    soon = at + timedelta(seconds=horizon)
    rows = session.execute(
        readable_tickets(principal)
        .join(Program, Program.id == Ticket.program_id)
        .where(
            Ticket.status.in_(OPEN_STATUSES),
            (Ticket.first_response_due_at <= soon) | (Ticket.resolution_due_at <= soon),
        )
        .with_only_columns(Ticket, Program)
    ).all()
    risks = [risk for ticket, program in rows for risk in sla_risks(ticket, program, at)]
    risks.sort(key=lambda r: (r.remaining_seconds, r.ticket.id))
    return risks[:LIST_LIMIT]


def queue_snapshot(
    session: Session, principal: Principal, *, at: datetime | None = None
) -> QueueSnapshot:
    """Everything the live queue page shows, as of ``at``."""
    at = at or clock.now()
    total, waiting = _waiting(session, principal, at)
    offers = _offers(session, principal, at)
    at_risk = _at_risk(session, principal, at)
    moments = [line.offer.expires_at for line in offers]
    moments += [risk.due_at for risk in at_risk if not risk.is_overdue]
    moments += _clocks_coming_into_reach(session, principal, at)
    return QueueSnapshot(
        at=at,
        waiting_total=total,
        waiting=waiting,
        offers=offers,
        staffing=staffing(session, principal),
        experts_online=_experts_online(session, principal),
        at_risk=at_risk,
        next_change_at=min((moment for moment in moments if moment > at), default=None),
    )


def _clocks_coming_into_reach(
    session: Session, principal: Principal, at: datetime
) -> list[datetime]:
    """When the next running clock of each program comes within its at-risk share."""
    programs = list(session.scalars(readable_programs(principal)))
    if not programs:
        return []
    open_tickets = readable_tickets(principal).where(Ticket.status.in_(OPEN_STATUSES))
    clocks = (
        (
            Ticket.first_response_due_at,
            "first_response_seconds",
            Ticket.first_response_at.is_(None),
        ),
        (
            Ticket.resolution_due_at,
            "resolution_seconds",
            Ticket.status != TicketStatus.WAITING_ON_CUSTOMER,
        ),
    )
    moments = []
    for due_at, window_name, running in clocks:
        reach = {p.id: timedelta(seconds=getattr(p, window_name) * AT_RISK_SHARE) for p in programs}
        not_yet = or_(
            *(and_(Ticket.program_id == id_, due_at > at + ahead) for id_, ahead in reach.items())
        )
        rows = session.execute(
            open_tickets.where(running, not_yet)
            .with_only_columns(Ticket.program_id, func.min(due_at))
            .group_by(Ticket.program_id)
        ).all()
        moments += [first_due - reach[program_id] for program_id, first_due in rows]
    return moments
