"""Storing forecasts: the per-program job, the nightly run, and reading them back."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.planning import queries
from gigcx.planning import service as planning_service
from gigcx.planning import tasks as planning_tasks
from gigcx.planning.models import ALL, Forecast, ForecastSeries
from tests.factories.brands import make_brand, make_program
from tests.factories.planning import add_arrivals
from tests.factories.tickets import run_jobs

UNTIL = datetime(2026, 11, 30, 18, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def stored(session: Session, program_id: object) -> list[tuple[str, str, datetime, float]]:
    rows = session.scalars(
        select(Forecast)
        .where(Forecast.program_id == program_id)
        .order_by(Forecast.language, Forecast.channel, Forecast.starts_at)
    )
    return [(r.language, r.channel, r.starts_at, r.mean) for r in rows]


def test_the_job_stores_two_weeks_per_series_and_running_it_again_changes_nothing(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session), languages=("en", "de"))
    # Three days of tickets: the first at the start of the history, then the last day's.
    start = UNTIL - 3 * DAY
    add_arrivals(
        session,
        program,
        [
            (start + timedelta(minutes=10), "en", "chat"),
            (UNTIL - DAY + 3 * HOUR, "en", "chat"),
            (UNTIL - DAY + 3 * HOUR + timedelta(minutes=30), "en", "chat"),
            (UNTIL - DAY + 5 * HOUR, "de", "email"),
        ],
    )
    with clock.travel_to(UNTIL + timedelta(minutes=20)):
        planning_service.queue_refresh(session, program.id, until=clock.now())
    session.commit()

    with clock.travel_to(UNTIL + timedelta(minutes=30)):
        first = run_jobs(factory)
    session.expire_all()
    rows = stored(session, program.id)
    series = queries.program_series(session, program.id)

    assert first.failed == 0
    assert len(rows) == 2 * 336
    assert [(s.language, s.channel, s.method, s.history_hours, s.arrivals) for s in series] == [
        (ALL, ALL, "seasonal_naive_24", 72, 4),
        ("de", "email", "seasonal_naive_24", 72, 1),
        ("en", "chat", "seasonal_naive_24", 72, 3),
    ]
    assert {(s.history_start, s.horizon_hours, s.level) for s in series} == {(start, 336, 0.8)}
    assert [s.backtest_horizon for s in series] == [None, None, None]  # 72 hours: too short
    expected = queries.expected_arrivals(session, program.id, UNTIL, UNTIL + 2 * DAY)
    assert len(expected) == 2 * 48
    assert {key: mean for key, mean in expected.items() if mean} == {
        ("en", "chat", UNTIL + 3 * HOUR): 2.0,
        ("en", "chat", UNTIL + DAY + 3 * HOUR): 2.0,
        ("de", "email", UNTIL + 5 * HOUR): 1.0,
        ("de", "email", UNTIL + DAY + 5 * HOUR): 1.0,
    }

    with clock.travel_to(UNTIL + timedelta(minutes=35)):
        planning_service.queue_refresh(session, program.id, until=clock.now())
    session.commit()
    with clock.travel_to(UNTIL + timedelta(minutes=40)):
        again = run_jobs(factory)
    session.expire_all()

    assert (again.done, again.failed) == (1, 0)
    assert stored(session, program.id) == rows
    assert [(s.id, s.made_at) for s in queries.program_series(session, program.id)] == [
        (s.id, s.made_at) for s in series
    ]


def test_a_later_hour_replaces_the_forecast_and_a_program_without_tickets_gets_none(
    session: Session,
) -> None:
    program = make_program(session, make_brand(session))
    quiet = make_program(session, make_brand(session))
    add_arrivals(session, program, [(UNTIL - 2 * DAY, "en", "chat")])
    planning_service.refresh_program(session, program.id, until=UNTIL)

    later = planning_service.refresh_program(session, program.id, until=UNTIL + HOUR)
    nothing = planning_service.refresh_program(session, quiet.id, until=UNTIL)

    hours = session.scalars(
        select(Forecast.starts_at).where(Forecast.program_id == program.id)
    ).all()
    assert (later.series, later.hours, later.method, later.is_skipped) == (
        1,
        336,
        "seasonal_naive_24",
        False,
    )
    assert (min(hours), max(hours), len(hours)) == (UNTIL + HOUR, UNTIL + 336 * HOUR, 336)
    assert (nothing.series, nothing.method) == (0, None)
    assert session.scalar(select(func.count()).where(ForecastSeries.program_id == quiet.id)) == 0


def test_the_nightly_run_is_queued_for_half_past_two_and_queues_every_program(
    session: Session,
) -> None:
    first = make_program(session, make_brand(session))
    second = make_program(session, make_brand(session))
    with clock.travel_to(UNTIL):
        planning_tasks.schedule_forecasts(session)
        planning_tasks.schedule_forecasts(session)
        planning_tasks.forecast_all(session, {})
    session.flush()

    nightly = session.scalars(select(Job).where(Job.name == "planning.forecast")).all()
    queued = session.scalars(
        select(Job).where(Job.name == "planning.forecast_program", Job.status == JobStatus.QUEUED)
    ).all()
    assert [(j.status, j.run_at) for j in nightly] == [
        (JobStatus.QUEUED, datetime(2026, 12, 1, 2, 30, tzinfo=UTC))
    ]
    assert sorted(j.payload["program_id"] for j in queued) == sorted(
        [str(first.id), str(second.id)]
    )
    assert {j.payload["until"] for j in queued} == {"2026-11-30T18:00:00+00:00"}
    assert planning_tasks.next_night(datetime(2026, 12, 1, 1, tzinfo=UTC)) == datetime(
        2026, 12, 1, 2, 30, tzinfo=UTC
    )


def test_sums_over_series_add_means_and_combine_bands_as_independent_errors() -> None:
    hour = UNTIL
    rows = [
        Forecast(starts_at=hour, mean=3.0, lower=1.0, upper=6.0),
        Forecast(starts_at=hour, mean=4.0, lower=4.0, upper=7.0),
        Forecast(starts_at=hour + HOUR, mean=0.5, lower=0.0, upper=2.0),
    ]

    points = queries.summed(rows)

    assert [(p.starts_at, p.mean, p.lower) for p in points] == [
        (hour, 7.0, 5.0),
        (hour + HOUR, 0.5, 0.0),
    ]
    assert [p.upper for p in points] == [pytest.approx(7 + 18**0.5), 2.0]
