"""Effective earnings per hour worked, per expert and program, and the brand's floor."""

import statistics
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditEvent
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands.models import Program
from gigcx.brands.queries import readable_programs
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.kit.money import quantize
from gigcx.payments.enums import EarningKind
from gigcx.payments.models import Earning
from gigcx.payments.service._active import Interval, active_intervals, seconds_of
from gigcx.tickets.models import Assignment, Ticket

# Pay for the hours spent holding tickets; onboarding and reviews are paid for other time.
HOURLY_KINDS = (
    EarningKind.TASK,
    EarningKind.ESCALATION,
    EarningKind.BONUS,
    EarningKind.REVERSAL,
)
FLOOR_WINDOW = timedelta(days=7)
FLOOR_ALERT = "program.hourly_below_floor"


@dataclass(frozen=True, slots=True)
class ExpertHourly:
    """What an expert earned in a program over the hours they held its tickets."""

    expert_id: uuid.UUID
    display_name: str
    earned: Decimal
    seconds_worked: int

    @property
    def hours_worked(self) -> Decimal:
        return quantize(Decimal(self.seconds_worked) / 3600)

    @property
    def per_hour(self) -> Decimal | None:
        if not self.seconds_worked:
            return None
        return quantize(self.earned * 3600 / self.seconds_worked)


def program_hourly(
    session: Session,
    program_id: uuid.UUID,
    *,
    since: datetime,
    until: datetime,
    expert_id: uuid.UUID | None = None,
) -> list[ExpertHourly]:
    """Effective earnings per hour for each expert who held the program's tickets.

    Hours are the expert's active time on the program's tickets inside the window (see
    ``ACTIVE_TIME_RULE``: waiting for the customer never counts, concurrent tickets count
    once); earnings are the program's task, escalation and bonus entries net of reversals in
    the window.
    """
    assignments = (
        select(Assignment.id, Assignment.expert_id)
        .join(Ticket, Ticket.id == Assignment.ticket_id)
        .where(
            Ticket.program_id == program_id,
            Assignment.started_at < until,
            or_(Assignment.ended_at.is_(None), Assignment.ended_at > since),
        )
    )
    entries = (
        select(Earning.expert_id, func.sum(Earning.amount))
        .where(
            Earning.program_id == program_id,
            Earning.kind.in_(HOURLY_KINDS),
            Earning.created_at >= since,
            Earning.created_at < until,
        )
        .group_by(Earning.expert_id)
    )
    if expert_id is not None:
        assignments = assignments.where(Assignment.expert_id == expert_id)
        entries = entries.where(Earning.expert_id == expert_id)
    holders = dict(session.execute(assignments).all())
    active = active_intervals(
        session, assignments.with_only_columns(Assignment.id), since=since, until=until
    )
    spans: dict[uuid.UUID, list[Interval]] = {}
    for assignment_id, holder in holders.items():
        spans.setdefault(holder, []).extend(active.get(assignment_id, []))
    earned = dict(session.execute(entries).all())
    names = dict(
        session.execute(
            select(Expert.id, Expert.display_name).where(Expert.id.in_(set(spans) | set(earned)))
        ).all()
    )
    rows = [
        ExpertHourly(
            expert_id,
            names.get(expert_id, ""),
            Decimal(earned.get(expert_id) or 0),
            seconds_of(intervals),
        )
        for expert_id, intervals in spans.items()
    ]
    return sorted(rows, key=lambda r: (r.display_name, r.expert_id))


def median_hourly(rows: Sequence[ExpertHourly]) -> Decimal | None:
    """The median effective hourly of the experts who worked, or None if nobody did."""
    values = [r.per_hour for r in rows if r.per_hour is not None]
    return quantize(statistics.median(values)) if values else None


@dataclass(frozen=True, slots=True)
class FloorCheck:
    program_id: uuid.UUID
    program_name: str
    currency: str
    floor: Decimal | None
    median: Decimal | None
    experts: int

    @property
    def is_below(self) -> bool:
        return self.floor is not None and self.median is not None and self.median < self.floor


def check_floor(session: Session, program: Program, *, at: datetime | None = None) -> FloorCheck:
    """Compare the program's median effective hourly over the last 7 days with its floor."""
    until = at or clock.now()
    rows = program_hourly(session, program.id, since=until - FLOOR_WINDOW, until=until)
    worked = [r for r in rows if r.seconds_worked]
    return FloorCheck(
        program.id,
        program.name,
        program.currency,
        program.hourly_floor,
        median_hourly(worked),
        len(worked),
    )


def floor_checks(session: Session, principal: Principal) -> list[FloorCheck]:
    """Floor checks for the principal's programs that have a floor."""
    programs = readable_programs(principal).where(Program.hourly_floor.is_not(None))
    return [check_floor(session, p) for p in session.scalars(programs.order_by(Program.name))]


def alert_hourly_floors(session: Session, *, at: datetime | None = None) -> list[FloorCheck]:
    """Alert brands (an audit event, once a day) whose program median fell below the floor."""
    now = at or clock.now()
    alerts = []
    for program in session.scalars(select(Program).where(Program.hourly_floor.is_not(None))):
        check = check_floor(session, program, at=now)
        if not check.is_below:
            continue
        recent = session.scalar(
            select(AuditEvent.id)
            .where(
                AuditEvent.action == FLOOR_ALERT,
                AuditEvent.subject_id == program.id,
                AuditEvent.created_at > now - timedelta(days=1),
            )
            .limit(1)
        )
        if recent is not None:
            continue
        audit_service.record(
            session,
            actor=SYSTEM,
            action=FLOOR_ALERT,
            subject_type="program",
            subject_id=program.id,
            brand_id=program.brand_id,
            data={
                "median": str(check.median),
                "floor": str(check.floor),
                "experts": check.experts,
            },
        )
        alerts.append(check)
    return alerts
