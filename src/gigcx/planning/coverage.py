"""Coverage across time zones: experts needed against experts expected online, per program,
language and hour of the week (UTC).

Everything here but ``arrivals_by_hour_of_week`` is pure: plain data in, plain data out. The
service (``gigcx.planning.service._coverage``) loads the data and calls these.

Hours of the week are UTC: 0 is Monday 00:00-01:00, 167 is Sunday 23:00-24:00.

**Needed** experts per hour: for each channel, Erlang C (``erlang.staff``) for live channels
(chat) against the program's target, and the workload model (``erlang.workload_agents``) for
asynchronous ones (email, helpdesk API); summed over channels. An expert's concurrency is not
counted: one needed expert is one expert's hour.

**Expected online** per hour is the sum, over the experts who may take the work (active
enrollment, no compliance block, the language held), of the probability each is online then:

- with presence history in the window (the last four weeks): the share of that hour of the week
  they were available, over the weeks observed since they joined; blended with stated
  availability when they stated any (``HISTORY_WEIGHT`` history, the rest stated);
- without history, stated availability counts ``STATED_SHARE`` of an expert per stated hour;
- without either, local 09:00-17:00 on weekdays counts ``DEFAULT_SHARE`` of an expert.

An expert enrolled in two programs counts fully in both: the numbers say who could come, not
who will split their time.
"""

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.planning import erlang, queries
from gigcx.tickets.models import Ticket

HOURS_PER_WEEK = 7 * 24
HISTORY_WEEKS = 4
HISTORY_WEIGHT = 0.75
STATED_SHARE = 0.5
DEFAULT_SHARE = 0.25
DEFAULT_DAY = (9, 17)  # local hours on weekdays assumed when an expert states nothing
# Local hours counted as someone's daytime when inviting them to cover a gap.
INVITE_DAY = (8, 20)
# Live channels are staffed with Erlang C; the others are asynchronous work.
LIVE_CHANNELS = frozenset({"chat"})
DEFAULT_AHT_SECONDS = {"chat": 600.0, "email": 900.0, "api": 900.0}
DEFAULT_TARGET = 0.8
DEFAULT_ANSWER_WITHIN = 60.0
ASYNC_OCCUPANCY = 0.85

Arrivals = Mapping[tuple[str, str, int], float]  # (language, channel, hour of week) -> per hour


def hour_of_week(at: datetime) -> int:
    """The UTC hour of the week of ``at`` (0 is Monday 00:00 UTC)."""
    utc = at.astimezone(UTC)
    return utc.weekday() * 24 + utc.hour


def hour_start(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def history_window(now: datetime) -> tuple[datetime, datetime]:
    """The last ``HISTORY_WEEKS`` weeks up to the current hour: each hour of the week 4 times."""
    end = hour_start(now)
    return end - timedelta(weeks=HISTORY_WEEKS), end


def next_occurrence(hour: int, *, after: datetime) -> datetime:
    """The first start of that hour of the week at or after ``after``."""
    start = hour_start(after)
    if start < after:
        start += timedelta(hours=1)
    ahead = (hour - hour_of_week(start)) % HOURS_PER_WEEK
    return start + timedelta(hours=ahead)


def week_label(hour: int) -> str:
    """ "Tue 14:00 UTC" for an hour of the week."""
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return f"{days[hour // 24]} {hour % 24:02d}:00 UTC"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def arrivals_by_hour_of_week(
    session: Session, program_id: uuid.UUID, *, now: datetime
) -> dict[tuple[str, str, int], float]:
    """Tickets per (language, channel, UTC hour of week): the mean of the last four weeks.

    A program younger than that is averaged over the weeks since its first ticket. The
    historical profile the coverage page uses; a forecast keyed the same way can stand in for it
    (``gigcx.planning.service.program_coverage`` takes ``arrivals``).
    """
    start, end = history_window(now)
    first = session.scalar(
        select(func.min(Ticket.created_at)).where(Ticket.program_id == program_id)
    )
    if first is None:
        return {}
    weeks = observed_weeks(first, start, end)
    rows = session.execute(
        select(Ticket.language, Ticket.channel, Ticket.created_at).where(
            Ticket.program_id == program_id,
            Ticket.created_at >= start,
            Ticket.created_at < end,
        )
    )
    counts: dict[tuple[str, str, int], float] = defaultdict(float)
    for language, channel, created_at in rows:
        counts[(language, channel, hour_of_week(created_at))] += 1.0
    return {key: count / max(weeks[key[2]], 1) for key, count in sorted(counts.items())}


def expected_arrivals(
    session: Session, program_id: uuid.UUID, *, now: datetime
) -> tuple[dict[tuple[str, str, int], float], str]:
    """Tickets per (language, channel, UTC hour of week) for the week ahead, and their source.

    The stored forecast of the next 168 hours when there is one ("forecast"), else the mean of
    the last four weeks ("history").
    """
    start = hour_start(now)
    forecast = queries.expected_arrivals(session, program_id, start, start + timedelta(weeks=1))
    if not forecast:
        return arrivals_by_hour_of_week(session, program_id, now=now), "history"
    arrivals: dict[tuple[str, str, int], float] = defaultdict(float)
    for (language, channel, starts_at), mean in forecast.items():
        arrivals[(language, channel, hour_of_week(starts_at))] += mean
    return dict(sorted(arrivals.items())), "forecast"


def observed_weeks(since: datetime, start: datetime, end: datetime) -> list[int]:
    """How many times each hour of the week occurs from ``since`` (or ``start``) to ``end``."""
    weeks = [0] * HOURS_PER_WEEK
    at = max(hour_start(since), start)
    if at < since:
        at += timedelta(hours=1)
    while at < end:
        weeks[hour_of_week(at)] += 1
        at += timedelta(hours=1)
    return weeks


@dataclass(frozen=True, slots=True)
class ChannelTarget:
    """How one channel of a program is staffed."""

    channel: str
    aht_seconds: float
    target: float = DEFAULT_TARGET
    answer_within: float = DEFAULT_ANSWER_WITHIN

    @property
    def is_live(self) -> bool:
        return self.channel in LIVE_CHANNELS


def experts_for(arrivals: float, target: ChannelTarget) -> int:
    """Experts one hour of ``arrivals`` on a channel needs."""
    if arrivals <= 0:
        return 0
    if target.is_live:
        return erlang.staff(
            calls=arrivals,
            interval_seconds=3600.0,
            aht_seconds=target.aht_seconds,
            target=target.target,
            answer_within=target.answer_within,
        ).agents
    return erlang.workload_agents(
        items=arrivals,
        aht_seconds=target.aht_seconds,
        interval_seconds=3600.0,
        occupancy=ASYNC_OCCUPANCY,
    )


def needed_experts(
    arrivals: Arrivals, targets: Mapping[str, ChannelTarget]
) -> dict[tuple[str, int], int]:
    """Experts needed per (language, hour of week), summed over channels."""
    needed: dict[tuple[str, int], int] = defaultdict(int)
    for (language, channel, hour), count in arrivals.items():
        target = targets.get(channel) or ChannelTarget(
            channel, DEFAULT_AHT_SECONDS.get(channel, DEFAULT_AHT_SECONDS["email"])
        )
        needed[(language, hour)] += experts_for(count, target)
    return dict(needed)


@dataclass(frozen=True, slots=True)
class ExpertSupply:
    """What coverage knows of one expert who may take a program's work."""

    expert_id: uuid.UUID
    timezone: str
    languages: frozenset[str]
    # Seconds available in the window, and weeks observed since joining, per hour of week.
    online_seconds: Sequence[float]
    observed_weeks: Sequence[int]
    # Stated weekly hours in the expert's own zone: (weekday, start hour, end hour).
    stated: Sequence[tuple[int, int, int]] = ()

    @property
    def has_history(self) -> bool:
        return any(seconds > 0 for seconds in self.online_seconds)


def local_hours(
    timezone: str, blocks: Iterable[tuple[int, int, int]], *, week_of: datetime
) -> set[int]:
    """The UTC hours of the week that local ``blocks`` cover, in the week of ``week_of``."""
    tz = zone(timezone)
    monday = (week_of.astimezone(UTC) - timedelta(days=week_of.astimezone(UTC).weekday())).date()
    hours = set()
    for weekday, start, end in blocks:
        day = monday + timedelta(days=weekday)
        for hour in range(start, end):
            local = datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(hours=hour)
            hours.add(hour_of_week(local))
    return hours


def default_blocks() -> list[tuple[int, int, int]]:
    return [(weekday, *DEFAULT_DAY) for weekday in range(5)]


def online_probability(supply: ExpertSupply, *, week_of: datetime) -> list[float]:
    """The probability the expert is online in each UTC hour of the week (see the module)."""
    stated = local_hours(supply.timezone, supply.stated, week_of=week_of)
    if supply.stated:
        prior = [STATED_SHARE if h in stated else 0.0 for h in range(HOURS_PER_WEEK)]
    else:
        assumed = local_hours(supply.timezone, default_blocks(), week_of=week_of)
        prior = [DEFAULT_SHARE if h in assumed else 0.0 for h in range(HOURS_PER_WEEK)]
    if not supply.has_history:
        return prior
    chances = []
    for hour in range(HOURS_PER_WEEK):
        weeks = supply.observed_weeks[hour]
        if weeks == 0:
            chances.append(prior[hour])
            continue
        seen = min(1.0, supply.online_seconds[hour] / (weeks * 3600.0))
        if supply.stated:
            seen = HISTORY_WEIGHT * seen + (1 - HISTORY_WEIGHT) * (1.0 if hour in stated else 0.0)
        chances.append(seen)
    return chances


def expected_online(
    supplies: Iterable[ExpertSupply], languages: Iterable[str], *, week_of: datetime
) -> dict[tuple[str, int], float]:
    """Experts expected online per (language, hour of week): the sum of their chances."""
    wanted = list(languages)
    expected = {(language, h): 0.0 for language in wanted for h in range(HOURS_PER_WEEK)}
    for supply in supplies:
        chances = online_probability(supply, week_of=week_of)
        for language in wanted:
            if language not in supply.languages:
                continue
            for hour, chance in enumerate(chances):
                expected[(language, hour)] += chance
    return expected


@dataclass(frozen=True, slots=True)
class Cell:
    """One program, language and hour of the week."""

    language: str
    hour: int
    needed: int
    expected: float

    @property
    def shortfall(self) -> float:
        return round(max(0.0, self.needed - self.expected), 2)

    @property
    def is_gap(self) -> bool:
        return self.needed > 0 and self.expected < self.needed

    @property
    def level(self) -> str:
        """idle, ok, tight (75 %+ covered), short (50 %+) or gap (below half)."""
        if self.needed == 0:
            return "idle"
        share = self.expected / self.needed
        if share >= 1:
            return "ok"
        if share >= 0.75:
            return "tight"
        return "short" if share >= 0.5 else "gap"

    @property
    def label(self) -> str:
        return week_label(self.hour)


def cells(
    languages: Iterable[str],
    needed: Mapping[tuple[str, int], int],
    expected: Mapping[tuple[str, int], float],
) -> list[Cell]:
    """Every (language, hour of week) cell, language by language, hour by hour."""
    return [
        Cell(language, h, needed.get((language, h), 0), round(expected.get((language, h), 0.0), 2))
        for language in languages
        for h in range(HOURS_PER_WEEK)
    ]


def worst_gaps(found: Iterable[Cell], *, limit: int = 10) -> list[Cell]:
    """Gap cells, the largest shortfall first (then the earliest hour, then language)."""
    gaps = [cell for cell in found if cell.is_gap]
    return sorted(gaps, key=lambda c: (-c.shortfall, c.hour, c.language))[:limit]


def surge_pressure(cell: Cell) -> tuple[int, int]:
    """The published surge rule's (waiting, free seats) for an expected gap: experts needed
    stand for waiting work, experts expected online (whole ones) for free seats."""
    return cell.needed, math.floor(cell.expected)


def is_daytime_at(timezone: str, at: datetime) -> bool:
    """Whether ``at`` falls in the local daytime (``INVITE_DAY``) of that zone."""
    local = at.astimezone(zone(timezone))
    return INVITE_DAY[0] <= local.hour < INVITE_DAY[1]


@dataclass(frozen=True, slots=True)
class Region:
    key: str
    name: str
    low: int  # UTC offsets, hours
    high: int

    def label(self) -> str:
        return f"{self.name} (UTC{self.low:+d} to UTC{self.high:+d})"


REGIONS = (
    Region("americas", "the Americas", -10, -3),
    Region("atlantic", "the mid-Atlantic", -2, -1),
    Region("europe-africa", "Europe and Africa", 0, 3),
    Region("middle-east-south-asia", "the Middle East and South Asia", 4, 6),
    Region("east-asia", "East and Southeast Asia", 7, 9),
    Region("oceania", "Australia and the Pacific", 10, 14),
)


def region_for_hour(utc_hour: int) -> Region:
    """Where ``utc_hour`` is early afternoon (13:00 local), as a named band of UTC offsets."""
    offset = (13 - utc_hour + 12) % 24 - 12
    if offset < REGIONS[0].low:  # UTC-11 and -12 share the clock of UTC+13 and +12
        offset += 24
    return next(region for region in REGIONS if region.low <= offset <= region.high)
