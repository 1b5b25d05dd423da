"""Coverage: load a program's demand and its experts' presence, then compare them.

Where the forecast plugs in: ``program_coverage(..., arrivals=...)`` takes any mapping of
(language, channel, UTC hour of week) to tickets per hour; by default it is the mean of the last
four weeks (``coverage.arrivals_by_hour_of_week``).
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.brands.queries import readable_programs
from gigcx.errors import PermissionDenied
from gigcx.experts.compliance.enums import Gate
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, Expert, ExpertAvailability, PresenceSpan
from gigcx.kit import clock
from gigcx.kit.languages import language_name
from gigcx.planning import coverage
from gigcx.planning.coverage import Arrivals, Cell, ChannelTarget, ExpertSupply
from gigcx.routing import gates
from gigcx.tickets.enums import AssignmentEnd, AuthorKind
from gigcx.tickets.models import Assignment, Message, Ticket

# Handle times outside this range are set aside as not handling (a tab left open, a retry).
HANDLE_SECONDS = (30.0, 4 * 3600.0)
# Weekly hour caps reset every Monday: they do not make an expert unavailable for planning.
PASSING_GATES = frozenset({Gate.PLATFORM_HOURS, Gate.BRAND_HOURS})


def require_staff(principal: Principal) -> None:
    if not (principal.is_brand_staff or principal.is_platform_admin):
        raise PermissionDenied("coverage planning is for the brand's staff")


def measured_aht(session: Session, program: Program, *, now: datetime) -> dict[str, float]:
    """Mean handle time per channel over the last four weeks, or the default.

    Chat: assignment start to its resolution (the expert holds the conversation until then).
    Email and API: assignment start to the expert's first reply (the rest is waiting on the
    customer).
    """
    start, end = coverage.history_window(now)
    first_reply = (
        select(func.min(Message.created_at))
        .where(
            Message.ticket_id == Assignment.ticket_id,
            Message.author_kind == AuthorKind.EXPERT,
            Message.author_id == Assignment.expert_id,
            Message.is_internal.is_(False),
            Message.created_at >= Assignment.started_at,
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(Assignment.channel, Assignment.started_at, Assignment.ended_at, first_reply)
        .join(Ticket, Ticket.id == Assignment.ticket_id)
        .where(
            Ticket.program_id == program.id,
            Assignment.end_reason == AssignmentEnd.RESOLVED,
            Assignment.ended_at >= start,
            Assignment.ended_at < end,
        )
    ).all()
    durations: dict[str, list[float]] = {}
    for channel, started_at, ended_at, replied_at in rows:
        finish = ended_at if channel in coverage.LIVE_CHANNELS else replied_at
        if finish is None:
            continue
        seconds = (finish - started_at).total_seconds()
        if HANDLE_SECONDS[0] <= seconds <= HANDLE_SECONDS[1]:
            durations.setdefault(channel, []).append(seconds)
    aht = {}
    for channel in program.channels:
        found = durations.get(channel)
        default = coverage.DEFAULT_AHT_SECONDS.get(channel, coverage.DEFAULT_AHT_SECONDS["email"])
        aht[channel] = round(sum(found) / len(found), 1) if found else default
    return aht


def channel_targets(
    session: Session, program: Program, *, now: datetime
) -> dict[str, ChannelTarget]:
    """How each channel is staffed: measured handle time; live channels answer within the
    program's first-response target when it is under the default wait, else the default."""
    within = min(float(program.first_response_seconds), coverage.DEFAULT_ANSWER_WITHIN)
    return {
        channel: ChannelTarget(channel, aht, coverage.DEFAULT_TARGET, within)
        for channel, aht in measured_aht(session, program, now=now).items()
    }


def _spans_by_hour(
    spans: list[tuple[datetime, datetime | None]], start: datetime, end: datetime
) -> list[float]:
    seconds = [0.0] * coverage.HOURS_PER_WEEK
    for started_at, ended_at in spans:
        at = max(started_at, start)
        stop = min(ended_at or end, end)
        while at < stop:
            slot_end = min(coverage.hour_start(at) + timedelta(hours=1), stop)
            seconds[coverage.hour_of_week(at)] += (slot_end - at).total_seconds()
            at = slot_end
    return seconds


def eligible_experts(session: Session, program: Program, *, now: datetime) -> list[Expert]:
    """Experts actively enrolled whom no compliance rule stops (weekly hour caps aside)."""
    experts = list(
        session.scalars(
            select(Expert)
            .join(Enrollment, Enrollment.expert_id == Expert.id)
            .where(
                Enrollment.program_id == program.id,
                Enrollment.status == EnrollmentStatus.ACTIVE,
            )
            .order_by(Expert.id)
        )
    )
    blocked = gates.blocked_experts(session, program.brand_id, [e.id for e in experts], now)
    return [
        expert
        for expert in experts
        if not any(block.gate not in PASSING_GATES for block in blocked.get(expert.id, []))
    ]


def load_supply(session: Session, experts: list[Expert], *, now: datetime) -> list[ExpertSupply]:
    """Presence history of the window and stated hours of these experts."""
    start, end = coverage.history_window(now)
    ids = [expert.id for expert in experts]
    spans: dict[uuid.UUID, list[tuple[datetime, datetime | None]]] = {}
    for expert_id, started_at, ended_at in session.execute(
        select(PresenceSpan.expert_id, PresenceSpan.started_at, PresenceSpan.ended_at).where(
            PresenceSpan.expert_id.in_(ids),
            PresenceSpan.started_at < end,
            (PresenceSpan.ended_at.is_(None)) | (PresenceSpan.ended_at > start),
        )
    ):
        spans.setdefault(expert_id, []).append((started_at, ended_at))
    stated: dict[uuid.UUID, list[tuple[int, int, int]]] = {}
    for row in session.scalars(
        select(ExpertAvailability).where(ExpertAvailability.expert_id.in_(ids))
    ):
        stated.setdefault(row.expert_id, []).append((row.weekday, row.start_hour, row.end_hour))
    return [
        ExpertSupply(
            expert_id=expert.id,
            timezone=expert.timezone,
            languages=frozenset(x.language for x in expert.languages),
            online_seconds=_spans_by_hour(spans.get(expert.id, []), start, end),
            observed_weeks=coverage.observed_weeks(expert.created_at, start, end),
            stated=sorted(stated.get(expert.id, [])),
        )
        for expert in experts
    ]


@dataclass(frozen=True)
class LanguageCoverage:
    language: str
    name: str
    cells: list[Cell]

    @property
    def days(self) -> list[list[Cell]]:
        """Seven rows (Monday first) of 24 hours."""
        return [self.cells[day * 24 : day * 24 + 24] for day in range(7)]


@dataclass(frozen=True)
class ProgramCoverage:
    program: Program
    languages: list[LanguageCoverage]
    gaps: list[Cell]
    expert_count: int
    targets: dict[str, ChannelTarget]
    week_of: datetime
    supplies: list[ExpertSupply] = field(repr=False, default_factory=list)
    # Where the expected work comes from: "forecast" (stored), "history" (the last four weeks)
    # or "given" (a caller's own figures).
    arrivals_source: str = "given"

    def cell(self, language: str, hour: int) -> Cell | None:
        for row in self.languages:
            if row.language == language:
                return row.cells[hour]
        return None


def compute_coverage(
    session: Session, program: Program, *, arrivals: Arrivals | None = None, now: datetime
) -> ProgramCoverage:
    """Needed against expected for one program (no access check: callers check)."""
    source = "given"
    if arrivals is None:
        arrivals, source = coverage.expected_arrivals(session, program.id, now=now)
    targets = channel_targets(session, program, now=now)
    experts = eligible_experts(session, program, now=now)
    supplies = load_supply(session, experts, now=now)
    languages = list(program.languages)
    needed = coverage.needed_experts(arrivals, targets)
    expected = coverage.expected_online(supplies, languages, week_of=now)
    found = coverage.cells(languages, needed, expected)
    rows = [
        LanguageCoverage(code, language_name(code), found[i * 168 : (i + 1) * 168])
        for i, code in enumerate(languages)
    ]
    return ProgramCoverage(
        program=program,
        languages=rows,
        gaps=coverage.worst_gaps(found),
        expert_count=len(experts),
        targets=targets,
        week_of=now,
        supplies=supplies,
        arrivals_source=source,
    )


def program_coverage(
    session: Session,
    principal: Principal,
    program_id: uuid.UUID,
    *,
    arrivals: Arrivals | None = None,
) -> ProgramCoverage:
    """Experts needed against expected online for a program the staff member may read."""
    require_staff(principal)
    program = brands_service.get_program(session, principal, program_id)
    return compute_coverage(session, program, arrivals=arrivals, now=clock.now())


def brand_coverage(
    session: Session, principal: Principal, *, program_id: uuid.UUID | None = None
) -> list[ProgramCoverage]:
    """Coverage of each of the brand's programs (or of one)."""
    require_staff(principal)
    if program_id is not None:
        return [program_coverage(session, principal, program_id)]
    now = clock.now()
    programs = session.scalars(readable_programs(principal).order_by(Program.name, Program.id))
    return [compute_coverage(session, program, now=now) for program in programs]
