"""A brand's KPIs over a window: volume, response and resolution times, SLA, CSAT, cost."""

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, and_, func, or_
from sqlalchemy.orm import Session, aliased

from gigcx.analytics.service._window import Window, floor_to_hour, percentile, ratio
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.brands.queries import readable_programs
from gigcx.kit.money import Money, quantize
from gigcx.payments.enums import EarningKind
from gigcx.payments.models import Earning
from gigcx.payments.queries import readable_earnings
from gigcx.quality.models import Rating
from gigcx.tickets.enums import OPEN_STATUSES, TicketStatus
from gigcx.tickets.models import Ticket
from gigcx.tickets.queries import readable_tickets

SCORES = (1, 2, 3, 4, 5)


def _tickets(principal: Principal, program_id: uuid.UUID | None) -> Select[Any]:
    statement = readable_tickets(principal)
    if program_id is not None:
        statement = statement.where(Ticket.program_id == program_id)
    return statement


def _within(column: Any, window: Window) -> Any:
    return and_(column >= window.since, column < window.until)


@dataclass(frozen=True, slots=True)
class HourCount:
    hour: datetime
    tickets: int


def volume_by_hour(
    session: Session, principal: Principal, window: Window, *, program_id: uuid.UUID | None = None
) -> list[HourCount]:
    """Count the tickets created in each UTC hour of the window, empty hours included."""
    statement = _tickets(principal, program_id).where(_within(Ticket.created_at, window))
    created = session.scalars(statement.with_only_columns(Ticket.created_at)).all()
    counts = Counter(floor_to_hour(moment) for moment in created)
    return [HourCount(hour, counts.get(hour, 0)) for hour in window.hours()]


@dataclass(frozen=True, slots=True)
class Durations:
    """How long something took, in seconds, over the tickets it happened to."""

    seconds: list[float]

    @property
    def count(self) -> int:
        return len(self.seconds)

    @property
    def median(self) -> float | None:
        return percentile(self.seconds, 0.5)

    @property
    def p90(self) -> float | None:
        return percentile(self.seconds, 0.9)


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    first_response: Durations
    resolution: Durations


def response_times(
    session: Session, principal: Principal, window: Window, *, program_id: uuid.UUID | None = None
) -> ResponseTimes:
    """Time from intake to the first public reply, and to resolution, for those in the window.

    A ticket counts where the event happened: its first reply or its resolution fell inside the
    window. Resolution time is wall-clock time, waiting on the customer included.
    """
    tickets = _tickets(principal, program_id)
    responded = session.execute(
        tickets.where(_within(Ticket.first_response_at, window)).with_only_columns(
            Ticket.created_at, Ticket.first_response_at
        )
    ).all()
    resolved = session.execute(
        tickets.where(_within(Ticket.resolved_at, window)).with_only_columns(
            Ticket.created_at, Ticket.resolved_at
        )
    ).all()
    return ResponseTimes(
        first_response=Durations(_seconds_between(responded)),
        resolution=Durations(_seconds_between(resolved)),
    )


def _seconds_between(pairs: Sequence[Row[datetime, datetime | None]]) -> list[float]:
    return sorted((end - start).total_seconds() for start, end in pairs if end is not None)


@dataclass(frozen=True, slots=True)
class SlaAttainment:
    """Tickets whose clock was met or missed; clocks still running are in neither."""

    met: int
    missed: int

    @property
    def decided(self) -> int:
        return self.met + self.missed

    @property
    def rate(self) -> float | None:
        return ratio(self.met, self.decided)


@dataclass(frozen=True, slots=True)
class SlaReport:
    first_response: SlaAttainment
    resolution: SlaAttainment


def _first_response_outcome(row: Any, at: datetime) -> bool | None:
    """True if met, False if missed, None while the clock still runs or never ran."""
    if row.first_response_breached:
        return False
    if row.first_response_at is not None:
        return bool(row.first_response_at <= row.first_response_due_at)
    if row.status in OPEN_STATUSES and row.first_response_due_at <= at:
        return False
    return None


def _resolution_outcome(row: Any, at: datetime) -> bool | None:
    if row.resolution_breached:
        return False
    if row.resolved_at is not None:
        return bool(row.resolved_at <= row.resolution_due_at)
    if row.status == TicketStatus.WAITING_ON_CUSTOMER:
        return None  # the clock stands still while the customer has the ball
    if row.status in OPEN_STATUSES and row.resolution_due_at <= at:
        return False
    return None


def _attainment(outcomes: list[bool | None]) -> SlaAttainment:
    return SlaAttainment(met=outcomes.count(True), missed=outcomes.count(False))


def sla_attainment(
    session: Session, principal: Principal, window: Window, *, program_id: uuid.UUID | None = None
) -> SlaReport:
    """Share of tickets created in the window that met each SLA clock, as of the window's end.

    Canceled tickets are left out. A clock is missed once its breach is recorded, once the
    event came after the due time, or while the ticket is open past its due time.
    """
    rows = session.execute(
        _tickets(principal, program_id)
        .where(_within(Ticket.created_at, window), Ticket.status != TicketStatus.CANCELED)
        .with_only_columns(
            Ticket.status,
            Ticket.first_response_at,
            Ticket.first_response_due_at,
            Ticket.first_response_breached,
            Ticket.resolved_at,
            Ticket.resolution_due_at,
            Ticket.resolution_breached,
        )
    ).all()
    return SlaReport(
        first_response=_attainment([_first_response_outcome(r, window.until) for r in rows]),
        resolution=_attainment([_resolution_outcome(r, window.until) for r in rows]),
    )


@dataclass(frozen=True, slots=True)
class Csat:
    """Customer ratings given in the window: how many of each score 1 to 5."""

    distribution: dict[int, int]

    @property
    def count(self) -> int:
        return sum(self.distribution.values())

    @property
    def average(self) -> float | None:
        total = sum(score * n for score, n in self.distribution.items())
        return total / self.count if self.count else None

    @property
    def satisfied_share(self) -> float | None:
        """The CSAT percentage as usually published: ratings of 4 or 5 over all ratings."""
        return ratio(self.distribution[4] + self.distribution[5], self.count)


def csat(
    session: Session, principal: Principal, window: Window, *, program_id: uuid.UUID | None = None
) -> Csat:
    """Count the ratings customers gave in the window, by score."""
    rows = session.execute(
        _tickets(principal, program_id)
        .join(Rating, Rating.ticket_id == Ticket.id)
        .where(_within(Rating.created_at, window))
        .with_only_columns(Rating.score, func.count())
        .group_by(Rating.score)
    ).all()
    counts = {score: 0 for score in SCORES}
    counts.update({int(score): int(n) for score, n in rows})
    return Csat(counts)


@dataclass(frozen=True, slots=True)
class Escalations:
    tickets: int
    escalated: int

    @property
    def rate(self) -> float | None:
        return ratio(self.escalated, self.tickets)


def escalation_rate(
    session: Session, principal: Principal, window: Window, *, program_id: uuid.UUID | None = None
) -> Escalations:
    """Of the tickets created in the window (canceled ones aside), how many went in house."""
    row = session.execute(
        _tickets(principal, program_id)
        .where(_within(Ticket.created_at, window), Ticket.status != TicketStatus.CANCELED)
        .with_only_columns(func.count(), func.count(Ticket.escalation_reason))
    ).one()
    return Escalations(tickets=int(row[0]), escalated=int(row[1]))


@dataclass(frozen=True, slots=True)
class ProgramCost:
    """What the crowd cost per resolved ticket in one program, against the in-house baseline."""

    program_id: uuid.UUID
    program_name: str
    earnings: Money
    resolved: int
    inhouse_cost_per_contact: Money | None

    @property
    def per_resolution(self) -> Money | None:
        if not self.resolved:
            return None
        return Money(quantize(self.earnings.amount / self.resolved), self.earnings.currency)

    @property
    def saving_per_contact(self) -> Money | None:
        """In-house cost minus crowd cost per contact; negative when the crowd costs more."""
        if self.per_resolution is None or self.inhouse_cost_per_contact is None:
            return None
        return self.inhouse_cost_per_contact + -self.per_resolution


def cost_per_resolution(
    session: Session, principal: Principal, window: Window, *, program_id: uuid.UUID | None = None
) -> list[ProgramCost]:
    """Per program: task earnings (net of reversals) on tickets resolved in the window / count.

    Every resolved ticket counts, those the in-house team resolved too, so the figure is what
    a resolution costs the brand in expert pay on average.
    """
    programs = readable_programs(principal).order_by(Program.name, Program.id)
    if program_id is not None:
        programs = programs.where(Program.id == program_id)
    resolved_ids = (
        _tickets(principal, program_id)
        .where(_within(Ticket.resolved_at, window))
        .with_only_columns(Ticket.id)
    )
    resolved = dict(
        session.execute(
            _tickets(principal, program_id)
            .where(_within(Ticket.resolved_at, window))
            .with_only_columns(Ticket.program_id, func.count())
            .group_by(Ticket.program_id)
        ).all()
    )
    original = aliased(Earning)
    paid = dict(
        session.execute(
            readable_earnings(principal)
            .outerjoin(original, original.id == Earning.reverses_id)
            .where(
                Earning.ticket_id.in_(resolved_ids),
                or_(
                    Earning.kind == EarningKind.TASK,
                    and_(Earning.kind == EarningKind.REVERSAL, original.kind == EarningKind.TASK),
                ),
            )
            .with_only_columns(Earning.program_id, func.sum(Earning.amount))
            .group_by(Earning.program_id)
        ).all()
    )
    costs = []
    for program in session.scalars(programs):
        baseline = program.inhouse_cost_per_contact
        costs.append(
            ProgramCost(
                program_id=program.id,
                program_name=program.name,
                earnings=Money(quantize(Decimal(paid.get(program.id) or 0)), program.currency),
                resolved=int(resolved.get(program.id) or 0),
                inhouse_cost_per_contact=(
                    Money(quantize(baseline), program.currency) if baseline is not None else None
                ),
            )
        )
    return costs


@dataclass(frozen=True, slots=True)
class Dashboard:
    window: Window
    volume: list[HourCount]
    times: ResponseTimes
    sla: SlaReport
    csat: Csat
    escalations: Escalations
    costs: list[ProgramCost]

    @property
    def tickets(self) -> int:
        return sum(h.tickets for h in self.volume)


def dashboard(
    session: Session, principal: Principal, window: Window, *, program_id: uuid.UUID | None = None
) -> Dashboard:
    """Every KPI of the brand dashboard for one window (and optionally one program)."""
    return Dashboard(
        window=window,
        volume=volume_by_hour(session, principal, window, program_id=program_id),
        times=response_times(session, principal, window, program_id=program_id),
        sla=sla_attainment(session, principal, window, program_id=program_id),
        csat=csat(session, principal, window, program_id=program_id),
        escalations=escalation_rate(session, principal, window, program_id=program_id),
        costs=cost_per_resolution(session, principal, window, program_id=program_id),
    )
