"""Finished jobs are deleted once the retention period has passed, by a daily job."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.config import get_settings
from gigcx.jobs import service as jobs_service
from gigcx.jobs import tasks as jobs_tasks
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from tests.factories.tickets import run_jobs

NOW = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
PURGE_DAY = NOW + timedelta(days=1, minutes=1)


@pytest.fixture
def three_days_retention(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("GIGCX_JOB_RETENTION_DAYS", "3")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def finished(session: Session, status: JobStatus, days_ago: float) -> Job:
    """A job that finished ``days_ago`` days before the purge runs."""
    job = jobs_service.enqueue(session, "test.finished", {}, run_at=NOW - timedelta(days=30))
    job.status = status
    job.finished_at = PURGE_DAY - timedelta(days=days_ago)
    return job


def test_the_daily_purge_deletes_jobs_finished_before_the_retention_and_queues_itself(
    session: Session, factory: sessionmaker[Session], three_days_retention: None
) -> None:
    with clock.travel_to(NOW):
        old = [finished(session, JobStatus.DONE, 4), finished(session, JobStatus.DEAD, 3.1)]
        kept = [finished(session, JobStatus.DONE, 2.9), finished(session, JobStatus.DEAD, 1)]
        waiting = jobs_service.enqueue(session, "test.finished", {}, run_at=NOW + timedelta(days=9))
        jobs_tasks.schedule_purge(session)
        jobs_tasks.schedule_purge(session)
        session.commit()

    with clock.travel_to(PURGE_DAY):
        stats = run_jobs(factory)

    assert (stats.done, stats.failed) == (1, 0)
    remaining = set(session.scalars(select(Job.id).where(Job.name == "test.finished")))
    assert remaining == {job.id for job in [*kept, waiting]}
    assert {job.id for job in old} & remaining == set()
    [next_purge] = session.scalars(
        select(Job.run_at).where(Job.name == "jobs.purge_finished", Job.status == "queued")
    )
    assert PURGE_DAY + timedelta(days=1) <= next_purge < PURGE_DAY + timedelta(days=1, minutes=1)
