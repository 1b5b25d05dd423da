"""Enqueue due work in the caller's transaction (transactional outbox); inspect and tend jobs."""

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from gigcx.db.dialect import serialize
from gigcx.jobs.enums import FINISHED_STATUSES, JobStatus
from gigcx.jobs.errors import JobNotDead, JobNotFound
from gigcx.jobs.models import MAX_ATTEMPTS, Job
from gigcx.kit import clock
from gigcx.kit.ids import new_id


def enqueue(
    session: Session, name: str, payload: dict[str, Any], *, run_at: datetime | None = None
) -> Job:
    """Add a job that runs at ``run_at`` (now by default) once this transaction commits."""
    job = Job(**queued_job(name, payload, run_at=run_at))
    session.add(job)
    return job


def queued_job(
    name: str, payload: dict[str, Any], *, run_at: datetime | None = None
) -> dict[str, Any]:
    """Every column of a new queued job, for a Core insert that goes out with another row."""
    now = clock.now()
    return {
        "id": new_id(),
        "name": name,
        # Round-trip through JSON here so a payload that would not survive storage fails at once.
        "payload": json.loads(json.dumps(payload)),
        "run_at": run_at or now,
        "status": JobStatus.QUEUED,
        "attempts": 0,
        "max_attempts": MAX_ATTEMPTS,
        "created_at": now,
    }


def ensure_queued(session: Session, name: str, payload: dict[str, Any], *, run_at: datetime) -> Job:
    """Queue ``name`` unless a run of it is already queued; return the queued one.

    For recurring jobs: however many processes start at once (two ``gigcx serve`` on one
    database, say), one run stays queued. Callers of one name take turns (a lock held until
    commit on PostgreSQL; SQLite has one writer at a time), so the second sees the first's row.
    """
    serialize(session, f"jobs.queue:{name}")
    queued = session.scalars(
        select(Job)
        .where(Job.name == name, Job.status == JobStatus.QUEUED)
        .order_by(Job.run_at, Job.id)
        .limit(1)
    ).first()
    if queued is not None:
        return queued
    return enqueue(session, name, payload, run_at=run_at)


def list_jobs(
    session: Session,
    *,
    status: JobStatus | None = None,
    name: str | None = None,
    limit: int = 50,
) -> Sequence[Job]:
    """The newest jobs first, optionally of one status and name."""
    statement = select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit)
    if status is not None:
        statement = statement.where(Job.status == status)
    if name is not None:
        statement = statement.where(Job.name == name)
    return session.scalars(statement).all()


def count_by_status(session: Session, *, name: str | None = None) -> dict[JobStatus, int]:
    """How many jobs are in each status (every status present, zeros included)."""
    statement = select(Job.status, func.count()).group_by(Job.status)
    if name is not None:
        statement = statement.where(Job.name == name)
    counts = {status: 0 for status in JobStatus}
    for status, number in session.execute(statement):
        counts[JobStatus(status)] = number
    return counts


def retry(session: Session, job_id: uuid.UUID) -> Job:
    """Queue a dead-lettered job again, due now, with its attempts counted from zero."""
    job = session.get(Job, job_id, with_for_update=True)
    if job is None:
        raise JobNotFound(job_id)
    if job.status != JobStatus.DEAD:
        raise JobNotDead(job_id, job.status)
    job.status = JobStatus.QUEUED
    job.attempts = 0
    job.run_at = clock.now()
    job.finished_at = None
    return job


def retry_dead(session: Session, *, name: str | None = None) -> int:
    """Queue every dead-lettered job (of one name) again; return how many."""
    statement = (
        update(Job)
        .where(Job.status == JobStatus.DEAD)
        .values(status=JobStatus.QUEUED, attempts=0, run_at=clock.now(), finished_at=None)
    )
    if name is not None:
        statement = statement.where(Job.name == name)
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return int(result.rowcount)  # type: ignore[attr-defined]


def purge_finished(session: Session, *, older_than: timedelta) -> int:
    """Delete done and dead jobs that finished more than ``older_than`` ago; return how many."""
    cutoff = clock.now() - older_than
    statement = delete(Job).where(Job.status.in_(FINISHED_STATUSES), Job.finished_at < cutoff)
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return int(result.rowcount)  # type: ignore[attr-defined]
