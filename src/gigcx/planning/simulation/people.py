"""The simulated day's people and arrivals, drawn once from a seed.

Everything random about the day is drawn here, before any policy runs, so every policy meets
the same customers and the same experts (common random numbers):

- arrivals: exactly ``tickets`` arrival instants, spread over the hours by a profile (a
  forecast's hourly volumes, a recorded day's arrival times, or the built-in bimodal day);
  each ticket's language and category by the program's mix, its customer's patience
  (exponential), a handle-time draw and a resolution draw;
- experts: a time zone and a shift in local time (so who is online follows the sun),
  languages, skills (specialists deep in one or two categories, generalists broad and
  shallower), chat capacity, the chance to accept an offer, how fast they answer it and a
  speed factor. Each expert has their own stream of draws for offer decisions, consumed in the
  order the offers reach them.

Handle time is lognormal: median(category) x skill factor x speed x exp(sigma * z), with the
skill factor ``1.3 - 0.1 * level`` (level 5 works 20 % faster than the median, level 1 20 %
slower). An accepted ticket is escalated by the expert with chance ``0.12 - 0.02 * level``,
otherwise resolved.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

DAY_SECONDS = 24 * 3600
HANDLE_SIGMA = 0.5
DEFAULT_HANDLE_MINUTES = 6.0
DEFAULT_PATIENCE_MINUTES = 10.0
# (time zone, weight): where the simulated experts live.
TIME_ZONES: tuple[tuple[str, int], ...] = (
    ("Europe/London", 14),
    ("Europe/Berlin", 14),
    ("Europe/Madrid", 8),
    ("America/New_York", 16),
    ("America/Chicago", 8),
    ("America/Los_Angeles", 10),
    ("America/Sao_Paulo", 8),
    ("Africa/Lagos", 6),
    ("Asia/Manila", 10),
    ("Asia/Kolkata", 6),
)


@dataclass(frozen=True)
class CategoryMix:
    key: str
    weight: float
    required_level: int
    handle_minutes: float = DEFAULT_HANDLE_MINUTES
    is_gig_eligible: bool = True


@dataclass(frozen=True)
class Mix:
    """What the program's tickets are about: languages and categories with their shares."""

    languages: dict[str, float]
    categories: tuple[CategoryMix, ...]

    def category(self, key: str) -> CategoryMix:
        return next(c for c in self.categories if c.key == key)


@dataclass(frozen=True)
class TicketPlan:
    number: int
    at: float  # seconds after the day's start
    language: str
    category: str
    patience: float  # seconds the customer waits for an expert before leaving
    handle_z: float  # standard normal draw of the handle time
    outcome_draw: float  # uniform: escalated by the expert below the skill's chance
    reply_after: float  # seconds from acceptance to the expert's first reply


@dataclass(frozen=True)
class ExpertPlan:
    number: int
    timezone: str
    languages: dict[str, int]
    skills: dict[str, int]
    capacity: int
    accept_chance: float
    speed: float  # multiplies handle times
    shifts: tuple[tuple[float, float], ...]  # (online, offline) in seconds after the day's start
    is_generalist: bool

    @property
    def name(self) -> str:
        return f"Sim Expert {self.number:04d}"

    @property
    def email(self) -> str:
        return f"sim.expert.{self.number:04d}@simulation.example"

    def online_seconds(self) -> float:
        return sum(max(0.0, min(end, DAY_SECONDS) - max(start, 0.0)) for start, end in self.shifts)


@dataclass
class OfferDraws:
    """An expert's own stream of offer decisions (the n-th offer they get draws the n-th)."""

    rng: random.Random
    drawn: list[tuple[float, float]] = field(default_factory=list)

    def next(self) -> tuple[float, float]:
        """(decision draw, answer delay draw), both uniform on [0, 1)."""
        draw = (self.rng.random(), self.rng.random())
        self.drawn.append(draw)
        return draw


def bimodal_profile() -> list[float]:
    """Relative arrivals per UTC hour: a late-morning and an evening peak over a quiet night."""
    return [
        20
        + 260 * math.exp(-((((h + 0.5) - 11) / 2.2) ** 2))
        + 200 * math.exp(-((((h + 0.5) - 19) / 2) ** 2))
        for h in range(24)
    ]


def handle_seconds(plan: TicketPlan, expert: ExpertPlan, mix: Mix, level: int) -> float:
    """How long the expert works the ticket (lognormal around the category's median)."""
    median = mix.category(plan.category).handle_minutes * 60.0
    factor = (1.3 - 0.1 * level) * expert.speed
    return max(30.0, median * factor * math.exp(HANDLE_SIGMA * plan.handle_z))


def escalation_chance(level: int) -> float:
    return max(0.0, 0.12 - 0.02 * level)


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def arrivals(
    seed: int,
    mix: Mix,
    *,
    tickets: int,
    profile: list[float] | None = None,
    times: list[float] | None = None,
    patience_minutes: float = DEFAULT_PATIENCE_MINUTES,
) -> list[TicketPlan]:
    """The day's tickets: at ``times`` (a recorded day) or ``tickets`` spread by ``profile``."""
    rng = random.Random(f"{seed}|arrivals")
    if times is None:
        weights = profile or bimodal_profile()
        if len(weights) != 24 or any(w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError("an arrivals profile has 24 hourly values, not all zero")
        hours = rng.choices(range(24), weights=weights, k=tickets)
        times = [hour * 3600 + rng.random() * 3600 for hour in hours]
    plans = []
    draws = random.Random(f"{seed}|tickets")
    for number, at in enumerate(sorted(times)):
        language = _pick(draws, mix.languages)
        category = _pick(draws, {c.key: c.weight for c in mix.categories})
        plans.append(
            TicketPlan(
                number=number,
                at=at,
                language=language,
                category=category,
                patience=draws.expovariate(1 / (patience_minutes * 60)),
                handle_z=draws.gauss(0.0, 1.0),
                outcome_draw=draws.random(),
                reply_after=draws.uniform(15, 90),
            )
        )
    return plans


def _shifts(rng: random.Random, zone: str, day: datetime) -> tuple[tuple[float, float], ...]:
    """One shift in local time (some split in two), as seconds after the day's UTC start."""
    local = ZoneInfo(zone)
    shifts = []
    start_hour = rng.choice((6, 7, 8, 9, 10, 12, 14, 16, 18, 20)) + rng.random()
    hours = rng.uniform(3, 9)
    # The shift on the local day before, the day and the day after: whichever overlaps.
    for offset in (-1, 0, 1):
        local_day = (day + timedelta(days=offset)).astimezone(local).date()
        begins = datetime(local_day.year, local_day.month, local_day.day, tzinfo=local)
        begins += timedelta(hours=start_hour)
        start = (begins.astimezone(UTC) - day).total_seconds()
        end = start + hours * 3600
        if end > 0 and start < DAY_SECONDS:
            shifts.append((max(start, 0.0), min(end, float(DAY_SECONDS))))
    return tuple(sorted(set(shifts)))


def experts(seed: int, mix: Mix, *, count: int, day: datetime) -> list[ExpertPlan]:
    """``count`` experts: about one in five a generalist, the rest specialists."""
    rng = random.Random(f"{seed}|experts")
    zones = dict(TIME_ZONES)
    crowd = [c for c in mix.categories if c.is_gig_eligible] or list(mix.categories)
    keys = [c.key for c in crowd]
    plans = []
    for number in range(count):
        zone = _pick(rng, {z: float(w) for z, w in zones.items()})
        languages = {code: 5 for code in mix.languages if rng.random() < 0.35}
        languages.setdefault(_pick(rng, mix.languages), 5)
        # Every few experts cover each language, so a small day still has someone for it.
        languages.setdefault(list(mix.languages)[number % len(mix.languages)], 4)
        is_generalist = rng.random() < 0.2
        skills: dict[str, int] = {}
        if is_generalist:
            for category in crowd:
                skills[category.key] = min(5, max(category.required_level, rng.choice((2, 3, 3))))
        else:
            chosen = rng.sample(keys, k=min(len(keys), rng.choice((1, 1, 2))))
            chosen.append(keys[number % len(keys)])
            for key in dict.fromkeys(chosen):
                level = mix.category(key).required_level
                skills[key] = min(5, max(level, rng.choice((3, 4, 4, 5))))
        plans.append(
            ExpertPlan(
                number=number,
                timezone=zone,
                languages=languages,
                skills=skills,
                capacity=rng.choice((1, 1, 2, 2, 3)),
                accept_chance=rng.uniform(0.7, 0.97),
                speed=rng.uniform(0.75, 1.35),
                # Those already on shift at midnight come online a moment apart, not all at
                # once: routing breaks ties of idle time by expert id, which a rebuild redraws.
                shifts=tuple(
                    (start or 0.25 * (number + 1), end) for start, end in _shifts(rng, zone, day)
                ),
                is_generalist=is_generalist,
            )
        )
    return plans


def offer_streams(seed: int, count: int) -> list[OfferDraws]:
    return [OfferDraws(random.Random(f"{seed}|offers|{n}")) for n in range(count)]
