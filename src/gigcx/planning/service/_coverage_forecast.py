"""Where and when work is expected, for an expert: their programs, their languages, their
local time, the next seven days in bands of four hours."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.errors import PermissionDenied
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment
from gigcx.kit import clock
from gigcx.kit.languages import language_name
from gigcx.planning import coverage
from gigcx.planning.models import CoverageAction, CoverageInvitation
from gigcx.planning.service._coverage import compute_coverage

BAND_HOURS = 4
DAYS = 7


@dataclass(frozen=True, slots=True)
class Band:
    """Four local hours of one day: tickets expected in the expert's languages, and whether
    fewer experts than needed are expected online in any of those hours."""

    starts_at: datetime  # local
    tickets: float
    is_short: bool

    @property
    def label(self) -> str:
        end = (self.starts_at.hour + BAND_HOURS) % 24
        return f"{self.starts_at:%a %d %b} {self.starts_at.hour:02d}:00-{end:02d}:00"

    @property
    def level(self) -> str:
        if self.tickets < 0.5:
            return "none"
        if self.tickets < 2:
            return "low"
        return "mid" if self.tickets < 8 else "high"


@dataclass(frozen=True)
class ProgramForecast:
    program_id: uuid.UUID
    program_name: str
    brand_name: str
    languages: list[str]
    days: list[list[Band]]

    @property
    def language_names(self) -> str:
        return ", ".join(language_name(code) for code in self.languages)


@dataclass(frozen=True)
class ExpertForecast:
    timezone: str
    band_starts: list[str]
    programs: list[ProgramForecast]
    invitations: list[tuple[CoverageAction, str]]


def _bands(
    arrivals: coverage.Arrivals,
    gaps: set[int],
    languages: set[str],
    start: datetime,
) -> list[list[Band]]:
    per_hour: dict[int, float] = {}
    for (language, _channel, hour), count in arrivals.items():
        if language in languages:
            per_hour[hour] = per_hour.get(hour, 0.0) + count
    days = []
    for day in range(DAYS):
        row = []
        for band in range(24 // BAND_HOURS):
            local = start + timedelta(days=day, hours=band * BAND_HOURS)
            hours = [coverage.hour_of_week(local + timedelta(hours=h)) for h in range(BAND_HOURS)]
            tickets = round(sum(per_hour.get(h, 0.0) for h in hours), 1)
            row.append(Band(local, tickets, any(h in gaps for h in hours)))
        days.append(row)
    return days


def expert_forecast(session: Session, principal: Principal) -> ExpertForecast:
    """Expected work in the expert's active programs and languages, in their local time."""
    if not principal.is_expert:
        raise PermissionDenied("this forecast is an expert's; sign in with an expert account")
    expert = experts_service.current_expert(session, principal)
    now = clock.now()
    local_now = now.astimezone(coverage.zone(expert.timezone))
    start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    held = {x.language for x in expert.languages}
    rows = session.execute(
        select(Program, Brand.name)
        .join(Enrollment, Enrollment.program_id == Program.id)
        .join(Brand, Brand.id == Program.brand_id)
        .where(
            Enrollment.expert_id == expert.id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
        )
        .order_by(Brand.name, Program.name, Program.id)
    ).all()
    programs = []
    for program, brand_name in rows:
        languages = [code for code in program.languages if code in held]
        arrivals, _ = coverage.expected_arrivals(session, program.id, now=now)
        found = compute_coverage(session, program, arrivals=arrivals, now=now)
        gaps = {
            cell.hour
            for row in found.languages
            if row.language in languages
            for cell in row.cells
            if cell.is_gap
        }
        days = _bands(arrivals, gaps, set(languages), start)
        programs.append(ProgramForecast(program.id, program.name, brand_name, languages, days))
    band_starts = [f"{h:02d}:00-{(h + BAND_HOURS) % 24:02d}:00" for h in range(0, 24, BAND_HOURS)]
    return ExpertForecast(
        expert.timezone, band_starts, programs, invitations_for(session, expert.id, now=now)
    )


def invitations_for(
    session: Session, expert_id: uuid.UUID, *, now: datetime
) -> list[tuple[CoverageAction, str]]:
    """Invitations to cover a gap sent to the expert that have not passed, soonest first."""
    rows = session.execute(
        select(CoverageAction, Program.name)
        .join(CoverageInvitation, CoverageInvitation.action_id == CoverageAction.id)
        .join(Program, Program.id == CoverageAction.program_id)
        .where(CoverageInvitation.expert_id == expert_id, CoverageAction.ends_at > now)
        .order_by(CoverageAction.starts_at, CoverageAction.id)
    ).all()
    return [(action, name) for action, name in rows]
