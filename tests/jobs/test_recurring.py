"""Recurring jobs keep their schedule when a run fails or its runner crashes."""

from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.channels.community import service as community_service
from gigcx.jobs import runner
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.quality import service as quality_service
from gigcx.rights import service as rights_service
from tests.factories.tickets import run_jobs

# A Wednesday; its ISO week ends on Monday 2026-12-14.
NOW = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
SOON = timedelta(minutes=1)

# name, payload, the service function its handler calls, when the next run is due
RECURRING: list[tuple[str, dict[str, Any], tuple[ModuleType, str], datetime]] = [
    ("payments.watch_demand", {}, (payments_service, "evaluate_surges"), NOW + SOON),
    (
        "payments.alert_hourly_floors",
        {},
        (payments_service, "alert_hourly_floors"),
        NOW + timedelta(days=1),
    ),
    (
        "payments.settle_week",
        {},
        (payments_service, "run_week"),
        datetime(2026, 12, 14, 0, 30, tzinfo=UTC),
    ),
    (
        "quality.review_tiers",
        {"week_start": "2026-12-07", "repeat": True},
        (quality_service, "review_tiers"),
        datetime(2026, 12, 14, tzinfo=UTC),
    ),
    ("jobs.purge_finished", {}, (jobs_service, "purge_finished"), NOW + timedelta(days=1)),
    (
        "channels.community.digest",
        {},
        (community_service, "send_digests"),
        NOW + timedelta(hours=1),
    ),
    (
        "privacy.retention",
        {},
        (rights_service, "brands_with_policies"),
        NOW + timedelta(days=1),
    ),
]


def fail(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("the run broke")


def next_runs(session: Session, name: str) -> list[datetime]:
    statement = select(Job.run_at).where(Job.name == name, Job.status == JobStatus.QUEUED)
    return list(session.scalars(statement))


def within_a_minute_of(moments: list[datetime], expected: datetime) -> bool:
    return len(moments) == 1 and expected <= moments[0] < expected + SOON


@pytest.mark.parametrize(
    ("name", "payload", "broken", "due"), RECURRING, ids=[r[0] for r in RECURRING]
)
def test_a_recurring_job_that_fails_for_good_still_queues_its_next_run(
    session: Session,
    factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    payload: dict[str, Any],
    broken: tuple[ModuleType, str],
    due: datetime,
) -> None:
    monkeypatch.setattr(*broken, fail)
    with clock.travel_to(NOW):
        job = jobs_service.enqueue(session, name, payload)
        job.max_attempts = 1
        session.commit()

        stats = run_jobs(factory)

    assert (stats.done, stats.failed) == (0, 1)
    session.refresh(job)
    assert job.status == JobStatus.DEAD
    assert "RuntimeError: the run broke" in (job.last_error or "")
    assert within_a_minute_of(next_runs(session, name), due)


def test_a_recurring_job_retried_after_a_failure_is_not_queued_twice(
    session: Session, factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(payments_service, "evaluate_surges", fail)
    with clock.travel_to(NOW):
        job = jobs_service.enqueue(session, "payments.watch_demand", {})
        session.commit()

        run_jobs(factory)

    session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)
    assert next_runs(session, "payments.watch_demand") == [job.run_at]


def test_a_recurring_job_whose_runner_crashed_keeps_its_schedule(
    session: Session, factory: sessionmaker[Session]
) -> None:
    with clock.travel_to(NOW):
        job = jobs_service.enqueue(session, "payments.watch_demand", {})
        job.max_attempts = 1
        session.commit()
        # A runner claims it and is never heard of again.
        crashed = runner.claim_next(factory, "crashed-runner")
    later = NOW + timedelta(minutes=10)
    with clock.travel_to(later):
        stats = run_jobs(factory)

    assert crashed is not None
    assert stats.total == 0
    session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.DEAD, 1)
    assert within_a_minute_of(next_runs(session, "payments.watch_demand"), later + SOON)
