"""Run the same day once per routing policy on one scratch database and compare them.

The world (brand, program, experts) is built once and committed; each policy then plays the day
inside a transaction that is rolled back afterwards, so every policy starts from the same
database and meets the same arrivals and the same experts' draws (common random numbers).
"""

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from gigcx.brands.enums import RoutingPolicy
from gigcx.brands.models import Program
from gigcx.db import migrate
from gigcx.db.session import make_engine
from gigcx.planning.simulation import people
from gigcx.planning.simulation.engine import Day, DayLog
from gigcx.planning.simulation.metrics import DayMetrics, measure
from gigcx.planning.simulation.world import Scenario, World, build

# Called with a phase ("setup", a policy's name), how much of it is done and of how much.
Progress = Callable[[str, int, int], None]
DEFAULT_DAY = datetime(2026, 12, 1, tzinfo=UTC)
DEFAULT_TARGET_SECONDS = 900


@dataclass(frozen=True)
class Settings:
    tickets: int = 500
    experts: int = 40
    seed: int = 1
    policies: tuple[RoutingPolicy, ...] = (RoutingPolicy.SCORE,)
    day: datetime = DEFAULT_DAY
    profile: list[float] | None = None  # relative arrivals per UTC hour
    times: list[float] | None = None  # a recorded day's arrivals, seconds after midnight UTC
    patience_minutes: float = people.DEFAULT_PATIENCE_MINUTES
    drain_minutes: float = 60.0


@dataclass
class Report:
    """Each policy's day, in the order asked, and what the runs cost."""

    settings: dict[str, Any]
    results: list[DayMetrics] = field(default_factory=list)
    setup_seconds: float = 0.0
    database: str = "sqlite"
    first_failure: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "settings": self.settings,
            "database": self.database,
            "setup_seconds": round(self.setup_seconds, 2),
            "policies": [result.as_dict() for result in self.results],
        }


def _report(progress: Progress, phase: str, done: int, total: int) -> None:
    progress(phase, done, total)


def _no_progress(_phase: str, _done: int, _total: int) -> None:
    """Report nothing."""


@contextmanager
def scratch_engine(database_url: str | None) -> Iterator[Engine]:
    """A migrated scratch database: ``database_url`` (an empty one), else a temp SQLite file."""
    with tempfile.TemporaryDirectory(prefix="gigcx-simulation-") as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'simulation.db'}"
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                migrate.upgrade(connection=connection)
            yield engine
        finally:
            engine.dispose()


def simulate(
    engine: Engine,
    scenario: Scenario,
    settings: Settings,
    *,
    progress: Progress = _no_progress,
) -> Report:
    """Play the day once per policy on the migrated, empty database of ``engine``."""
    with Session(engine) as session:
        report = simulate_in(session, scenario, settings, progress=progress)
        report.database = engine.dialect.name
        session.rollback()
    return report


def simulate_in(
    session: Session,
    scenario: Scenario,
    settings: Settings,
    *,
    progress: Progress = _no_progress,
) -> Report:
    """Build the world in ``session`` and play the day once per policy, each in a savepoint
    rolled back afterwards (the caller ends the transaction)."""
    day = settings.day
    count = len(settings.times) if settings.times is not None else settings.tickets
    report = Report(
        settings={
            "tickets": count,
            "experts": settings.experts,
            "seed": settings.seed,
            "policies": [str(p) for p in settings.policies],
            "day": day.date().isoformat(),
            "program": scenario.program.slug,
            "patience_minutes": settings.patience_minutes,
            "drain_minutes": settings.drain_minutes,
            "arrivals": "recorded" if settings.times is not None else "profile",
        },
        database=session.get_bind().dialect.name,
    )
    began = time.perf_counter()
    tickets = people.arrivals(
        settings.seed,
        scenario.mix,
        tickets=settings.tickets,
        profile=settings.profile,
        times=settings.times,
        patience_minutes=settings.patience_minutes,
    )
    experts = people.experts(settings.seed, scenario.mix, count=settings.experts, day=day)
    world = build(
        session,
        scenario,
        experts,
        at=day - timedelta(hours=12),
        progress=lambda done, total: progress("setup", done, total),
    )
    report.setup_seconds = time.perf_counter() - began
    for policy in settings.policies:
        savepoint = session.begin_nested()
        session.execute(
            update(Program).where(Program.id == world.program_id).values(routing_policy=policy)
        )
        log = Day(
            session,
            world,
            scenario.mix,
            tickets,
            people.offer_streams(settings.seed, len(experts)),
            start=day,
            drain_seconds=settings.drain_minutes * 60,
            progress=partial(_report, progress, str(policy)),
        ).run()
        report.results.append(measure_day(session, world, log, scenario, str(policy)))
        report.first_failure = report.first_failure or log.first_failure
        savepoint.rollback()
    return report


def measure_day(
    session: Session, world: World, log: DayLog, scenario: Scenario, policy: str
) -> DayMetrics:
    """The day's metrics with the program's first-response target and required levels."""
    return measure(
        session,
        world,
        log,
        policy=policy,
        target_seconds=scenario.program.first_response_seconds or DEFAULT_TARGET_SECONDS,
        required_levels={c.key: c.required_skill_level for c in scenario.program.categories},
        currency=scenario.currency,
    )
