"""The job runner: claim due jobs and run each in its own transaction.

A job row stays locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) while its handler runs, in the
same transaction as the handler's changes, so any number of runners share the work and a job's
effects and its "done" mark commit together or not at all.
"""

import logging
import threading
import traceback
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.db.dialect import claim
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.jobs.registry import get_handler
from gigcx.kit import clock

log = logging.getLogger(__name__)


@dataclass
class RunStats:
    done: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.done + self.failed


def _claim_next(session: Session) -> Job | None:
    statement = (
        select(Job)
        .where(Job.status == JobStatus.QUEUED, Job.run_at <= clock.now())
        .order_by(Job.run_at)
        .limit(1)
    )
    return session.scalars(claim(session, statement)).first()


def run_next(factory: sessionmaker[Session]) -> bool | None:
    """Run one due job; return True if it succeeded, False if it failed, None if none was due."""
    with factory() as session:
        job = _claim_next(session)
        if job is None:
            session.rollback()
            return None
        job_id, name, payload = job.id, job.name, dict(job.payload)
        try:
            get_handler(name)(session, payload)
            job.status = JobStatus.DONE
            job.attempts += 1
            job.finished_at = clock.now()
            session.commit()
            return True
        except Exception:
            session.rollback()
            error = traceback.format_exc(limit=5)
            log.exception("job %s (%s) failed", name, job_id)
    _record_failure(factory, job_id, error)
    return False


def _record_failure(factory: sessionmaker[Session], job_id: object, error: str) -> None:
    with factory() as session:
        job = session.get(Job, job_id)
        if job is None:
            return
        job.attempts += 1
        job.last_error = error
        if job.attempts >= job.max_attempts:
            job.status = JobStatus.FAILED
            job.finished_at = clock.now()
        else:
            job.run_at = clock.now() + timedelta(seconds=2**job.attempts)
        session.commit()


def run_until_idle(factory: sessionmaker[Session], *, limit: int | None = None) -> RunStats:
    """Run due jobs until none is due (or ``limit`` have run)."""
    stats = RunStats()
    while limit is None or stats.total < limit:
        outcome = run_next(factory)
        if outcome is None:
            break
        if outcome:
            stats.done += 1
        else:
            stats.failed += 1
    return stats


def run_forever(
    factory: sessionmaker[Session], *, poll_seconds: float, stop: threading.Event
) -> None:
    """Run due jobs until ``stop`` is set, sleeping ``poll_seconds`` when idle."""
    while not stop.is_set():
        try:
            stats = run_until_idle(factory, limit=100)
        except Exception:
            log.exception("job runner loop failed; retrying")
            stats = RunStats()
        if stats.total == 0:
            stop.wait(poll_seconds)
