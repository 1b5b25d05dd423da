"""The job runner: claim due jobs under a lease and run each in its own transaction.

Claiming a job marks it running, counts the attempt and sets a lease, and commits at once, so
no row lock is held while the handler runs: a runner that crashes, freezes or loses its host
blocks nobody, and once its lease has run out another runner takes the job over. A job that
used up ``max_attempts`` (crashing its runner every time, say) is dead-lettered instead.

The handler runs in a second transaction with its database time bounded on PostgreSQL: lock
waits, each statement, and idle time in the transaction (a frozen runner's session is ended by
the server, which releases its locks). At the end the runner locks the job row and checks that
the claim is still its own (the attempt number is the fencing token); only then does it commit
the handler's changes with the job's outcome. A failure rolls the handler's transaction back
and is recorded in the next one. A runner claims only the names it has handlers for, and
leaves the others to runners that do.

The common path is short, since the runner pays it per job: a queued job is claimed in one
statement (``UPDATE ... RETURNING``), and a success is recorded, fenced, in one more. Jobs whose
lease ran out are looked for when nothing is queued, and otherwise at most once every
``LEASE_CHECK_EVERY`` per runner.
"""

import logging
import os
import socket
import threading
import traceback
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, exists, select, update
from sqlalchemy.orm import Session, sessionmaker

from gigcx.config import get_settings
from gigcx.db.dialect import claim, is_postgres, locked
from gigcx.db.session import open_session
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.jobs.registry import Task, get_task, registered_names
from gigcx.kit import clock

log = logging.getLogger(__name__)

# A lease outlasts the handler's timeout by this much, so the server ends a frozen runner's
# transaction (and its locks) before another runner starts the job again.
LEASE_MARGIN = timedelta(seconds=10)
MAX_BACKOFF = timedelta(hours=1)
# How often a busy runner looks for jobs whose lease ran out (an idle one looks every time).
LEASE_CHECK_EVERY = timedelta(seconds=1)
# When each runner (host:process:thread) last looked.
_lease_checked_at: dict[str, datetime] = {}


@dataclass
class RunStats:
    done: int = 0
    failed: int = 0
    # Runs whose lease another runner took over before they finished: nothing was committed.
    lost: int = 0

    @property
    def total(self) -> int:
        return self.done + self.failed + self.lost


@dataclass(frozen=True)
class Claim:
    job_id: uuid.UUID
    name: str
    payload: dict[str, Any]
    attempt: int
    runner: str


class LeaseLost(Exception):
    """Another runner owns the job now; this run's changes must not be committed."""


def runner_name() -> str:
    """Who holds a lease: host, process and thread, as ``gigcx jobs list`` shows it."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{threading.get_ident() % 100000}"


def _queued_due(names: list[str]) -> Select[Job]:
    due = (Job.status == JobStatus.QUEUED, Job.run_at <= clock.now(), Job.name.in_(names))
    return select(Job).where(*due).order_by(Job.run_at).limit(1)


def _lease_ran_out(names: list[str]) -> Select[Job]:
    # Running jobs are few: the index's status prefix finds them without reading finished ones.
    ran_out = (
        Job.status == JobStatus.RUNNING,
        Job.lease_expires_at <= clock.now(),
        Job.name.in_(names),
    )
    return select(Job).where(*ran_out).order_by(Job.run_at).limit(1)


def _lease_until(names: list[str], now: datetime) -> ColumnElement[datetime]:
    """The lease a claim sets: the job's handler timeout plus the margin, by job name."""
    by_timeout: dict[timedelta, list[str]] = {}
    for name in names:
        by_timeout.setdefault(get_task(name).timeout, []).append(name)
    leases = [
        (bindparam(None, now + timeout + LEASE_MARGIN, type_=Job.lease_expires_at.type), group)
        for timeout, group in sorted(by_timeout.items())
    ]
    *others, (last, _) = leases
    if not others:
        return last
    return case(*((Job.name.in_(group), lease) for lease, group in others), else_=last)


def _claim_queued(session: Session, names: list[str], runner: str) -> Claim | None:
    """Claim the next due queued job in one statement, or return None."""
    now = clock.now()
    target = claim(session, _queued_due(names).with_only_columns(Job.id))
    row = session.execute(
        update(Job)
        .where(Job.id == target.scalar_subquery())
        .values(
            status=JobStatus.RUNNING,
            attempts=Job.attempts + 1,
            locked_by=runner,
            lease_expires_at=_lease_until(names, now),
        )
        .returning(Job.id, Job.name, Job.payload, Job.attempts),
        execution_options={"synchronize_session": False},
    ).first()
    if row is None:
        return None
    return Claim(row.id, row.name, dict(row.payload), row.attempts, runner)


def _is_lease_check_due(runner: str) -> bool:
    now = clock.now()
    last = _lease_checked_at.get(runner)
    # A clock set back (tests shift it) counts as due.
    return last is None or not last <= now < last + LEASE_CHECK_EVERY


def runnable_names(only: Collection[str] | None = None) -> list[str]:
    """The job names a runner claims: those it has handlers for, or ``only`` these of them.

    A runner given ``only`` (``gigcx jobs run --only routing.route``) serves latency-sensitive
    work that slow jobs (triage, exports) must not hold up; other runners take the rest.
    """
    names = registered_names()
    if only is None:
        return names
    unknown = sorted(set(only) - set(names))
    if unknown:
        raise LookupError(f"no job handler named {', '.join(map(repr, unknown))}")
    return sorted(set(only))


def claim_next(
    factory: sessionmaker[Session], runner: str, *, only: Collection[str] | None = None
) -> Claim | None:
    """Claim the next due job this runner has a handler for, or dead-letter a spent one."""
    names = runnable_names(only)
    with open_session(factory, writes=False) as session:
        # On SQLite a deferred look first, so an idle runner never takes the write lock
        # (PostgreSQL's claim skips locked rows and waits for nothing).
        anything = exists(_queued_due(names)) | exists(_lease_ran_out(names))
        if not is_postgres(session) and not session.scalar(select(anything)):
            return None
    check_leases = _is_lease_check_due(runner)
    while True:
        # A claim that a crash of the database server loses only lets the job run again as if
        # never claimed (handlers are idempotent), so it need not wait for its WAL flush.
        with open_session(factory, writes=True, durable=False) as session:
            if not check_leases:
                found = _claim_queued(session, names, runner)
                if found is not None:
                    session.commit()
                    return found
                # Nothing queued: a job whose lease ran out may be waiting.
                check_leases = True
            _lease_checked_at[runner] = clock.now()
            job = session.scalars(claim(session, _lease_ran_out(names))).first()
            if job is None:
                found = _claim_queued(session, names, runner)
                if found is None:
                    session.rollback()
                    return None
                session.commit()
                return found
            task = get_task(job.name)
            interrupted = (
                f"attempt {job.attempts} of {job.max_attempts} did not finish: its job "
                f"runner ({job.locked_by}) stopped or froze, and its lease ran out"
            )
            log.warning("job %s (%s): %s", job.name, job.id, interrupted)
            job.last_error = interrupted
            if job.attempts >= job.max_attempts:
                _end(job, JobStatus.DEAD)
                if task.rearm is not None:
                    task.rearm(session, dict(job.payload))
                session.commit()
                continue
            job.attempts += 1
            job.locked_by = runner
            job.lease_expires_at = clock.now() + task.timeout + LEASE_MARGIN
            found = Claim(job.id, job.name, dict(job.payload), job.attempts, runner)
            session.commit()
            return found


def _ended(status: JobStatus) -> dict[str, Any]:
    """What ending a run sets on its job."""
    return {
        "status": status,
        "finished_at": clock.now(),
        "locked_by": None,
        "lease_expires_at": None,
    }


def _end(job: Job, status: JobStatus) -> None:
    for name, value in _ended(status).items():
        setattr(job, name, value)


def _finish_done(session: Session, found: Claim) -> None:
    """Record a success in one statement that locks the job row, if the claim is still ours."""
    done = session.execute(
        update(Job)
        .where(
            Job.id == found.job_id,
            Job.status == JobStatus.RUNNING,
            Job.attempts == found.attempt,
            Job.locked_by == found.runner,
        )
        .values(_ended(JobStatus.DONE))
        .returning(Job.id),
        execution_options={"synchronize_session": False},
    ).first()
    if done is None:
        raise LeaseLost()


def _finish(session: Session, found: Claim, task: Task, error: str | None) -> bool:
    """Record the run's outcome under the job row's lock, if the claim is still ours."""
    if error is None and task.rearm is None:
        _finish_done(session, found)
        return True
    job = session.scalars(locked(session, select(Job).where(Job.id == found.job_id))).first()
    if (
        job is None
        or job.status != JobStatus.RUNNING
        or job.attempts != found.attempt
        or job.locked_by != found.runner
    ):
        raise LeaseLost()
    if error is None:
        _end(job, JobStatus.DONE)
    else:
        job.last_error = error
        if job.attempts >= job.max_attempts:
            _end(job, JobStatus.DEAD)
        else:
            job.status = JobStatus.QUEUED
            job.locked_by = None
            job.lease_expires_at = None
            backoff = min(timedelta(seconds=2**job.attempts), MAX_BACKOFF)
            job.run_at = clock.now() + backoff
    if task.rearm is not None:
        task.rearm(session, dict(found.payload))
    return error is None


def _handler_session(factory: sessionmaker[Session], task: Task) -> Session:
    seconds = task.timeout.total_seconds()
    return open_session(
        factory,
        writes=True,
        lock_timeout=min(seconds, get_settings().job_lock_timeout_seconds),
        statement_timeout=seconds,
        idle_timeout=seconds,
    )


def run_claimed(factory: sessionmaker[Session], found: Claim) -> bool | None:
    """Run a claimed job: True if it succeeded, False if it failed, None if the lease was lost."""
    task = get_task(found.name)
    error: str | None = None
    with _handler_session(factory, task) as session:
        try:
            task.run(session, dict(found.payload))
        except Exception:
            error = traceback.format_exc(limit=8)
            log.exception("job %s (%s) failed", found.name, found.job_id)
            # Nothing of the failed run stays; the outcome goes in the next transaction.
            session.rollback()
        try:
            succeeded = _finish(session, found, task, error)
            session.commit()
            return succeeded
        except LeaseLost:
            session.rollback()
            _report_lease_lost(found)
            return None
        except Exception:
            # The transaction itself broke (a timeout ended it, the connection dropped, the
            # commit failed): record that in a fresh one below.
            session.rollback()
            if error is None:
                error = traceback.format_exc(limit=8)
            log.exception("job %s (%s) could not be committed", found.name, found.job_id)
    with _handler_session(factory, task) as session:
        try:
            _finish(session, found, task, error)
        except LeaseLost:
            session.rollback()
            _report_lease_lost(found)
            return None
        session.commit()
    return False


def _report_lease_lost(found: Claim) -> None:
    log.warning(
        "job %s (%s): attempt %d lost its lease to another runner; its changes were discarded",
        found.name,
        found.job_id,
        found.attempt,
    )


class Outcome(StrEnum):
    DONE = "done"
    FAILED = "failed"
    LOST = "lost"


def _run_one(
    factory: sessionmaker[Session], runner: str, only: Collection[str] | None = None
) -> Outcome | None:
    found = claim_next(factory, runner, only=only)
    if found is None:
        return None
    succeeded = run_claimed(factory, found)
    if succeeded is None:
        return Outcome.LOST
    return Outcome.DONE if succeeded else Outcome.FAILED


def run_next(factory: sessionmaker[Session]) -> bool | None:
    """Run one due job: True if it succeeded, False if not, None if none was due."""
    outcome = _run_one(factory, runner_name())
    return None if outcome is None else outcome is Outcome.DONE


def run_until_idle(
    factory: sessionmaker[Session],
    *,
    limit: int | None = None,
    only: Collection[str] | None = None,
) -> RunStats:
    """Run due jobs (of ``only`` these names) until none is due (or ``limit`` have run)."""
    stats = RunStats()
    runner = runner_name()
    while limit is None or stats.total < limit:
        outcome = _run_one(factory, runner, only)
        if outcome is None:
            break
        if outcome is Outcome.DONE:
            stats.done += 1
        elif outcome is Outcome.FAILED:
            stats.failed += 1
        else:
            stats.lost += 1
    return stats


def run_forever(
    factory: sessionmaker[Session],
    *,
    poll_seconds: float,
    stop: threading.Event,
    only: Collection[str] | None = None,
) -> None:
    """Run due jobs until ``stop`` is set, sleeping ``poll_seconds`` when idle.

    ``stop`` is checked between jobs: the job in progress always finishes (a graceful stop).
    """
    while not stop.is_set():
        try:
            stats = run_until_idle(factory, limit=1, only=only)
        except Exception:
            log.exception("job runner loop failed; retrying")
            stats = RunStats()
        if stats.total == 0:
            stop.wait(poll_seconds)


class RunnerThread:
    """The job runner on a thread of this process (the server's), stopped gracefully."""

    def __init__(self, factory: sessionmaker[Session], *, poll_seconds: float) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=run_forever,
            kwargs={"factory": factory, "poll_seconds": poll_seconds, "stop": self.stop},
            name="gigcx-job-runner",
            daemon=True,
        )

    def start(self) -> None:
        self.thread.start()

    def is_alive(self) -> bool:
        return self.thread.is_alive()

    def shutdown(self, grace_seconds: float) -> bool:
        """Claim no more jobs and let the one in progress finish; False if it outlasts grace."""
        self.stop.set()
        self.thread.join(timeout=grace_seconds)
        return not self.thread.is_alive()
