"""The demo in two stages, so that a server answers within seconds of its first start.

Stage one (``seed.seed_essentials``) commits what the public pages and a first sign-in need.
Stage two (``seed.seed_history``) is the same replay that ``seed.seed_demo`` runs, with the same
seed and so the same demo, but it commits every ``CHECKPOINT_SECONDS`` so that the server beside
it can write too (on SQLite one writer holds the database at a time). Between its commits the
replay's own queued jobs are held (``JobStatus.HELD``): they run on the replay's clock, weeks in
the past, and no job runner may take them in real time. The demo's own simulation is queued
only at the end.

A job row, ``demo.history``, records the replay: the seeding process holds it under a lease that
each commit renews, with how many tickets are written of how many. The pages that depend on the
history show it. If the seeding process dies its lease runs out and a job runner dead-letters
the row (it has one attempt), and the pages say where the history stopped.
"""

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gigcx.demo import tasks as demo_tasks
from gigcx.demo.world import Progress, no_progress
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job

HISTORY_JOB = demo_tasks.HISTORY_JOB
CHECKPOINT_SECONDS = 0.5
LEASE = demo_tasks.HISTORY_LEASE


@dataclass(frozen=True)
class HistoryProgress:
    """The demo's history while it is written, or where it stopped."""

    done: int
    total: int
    is_running: bool


def history_progress(session: Session) -> HistoryProgress | None:
    """The demo history being written (or stopped before its end); None once it is complete."""
    row = session.execute(
        select(Job.status, Job.payload)
        .where(Job.name == HISTORY_JOB, Job.status.in_([JobStatus.RUNNING, JobStatus.DEAD]))
        .order_by(Job.created_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    status, payload = row
    return HistoryProgress(
        done=int(payload.get("done", 0)),
        total=int(payload.get("total", 0)),
        is_running=status == JobStatus.RUNNING,
    )


def _real_now() -> datetime:
    # The replay moves the process's clock; the lease is kept in real time.
    return datetime.now(UTC)


def begin_history(session: Session, *, total: int, holder: str) -> uuid.UUID:
    """Write the history's record, held by ``holder`` (stage one commits it)."""
    now = _real_now()
    job = Job(
        name=HISTORY_JOB,
        payload={"done": 0, "total": total},
        run_at=now,
        status=JobStatus.RUNNING,
        attempts=1,
        max_attempts=1,
        locked_by=holder,
        lease_expires_at=now + LEASE,
    )
    session.add(job)
    session.flush()
    return job.id


class Checkpoints:
    """Commit the replay now and then, holding its jobs and renewing its record's lease."""

    def __init__(
        self,
        session: Session,
        job_id: uuid.UUID,
        *,
        horizon: datetime,
        progress: Progress = no_progress,
    ) -> None:
        self.session = session
        self.job_id = job_id
        # The replay's jobs were all written before this moment; the server's after it.
        self.horizon = horizon
        self.forward = progress
        self.done = 0
        self.last = time.monotonic()

    def progress(self, phase: str, done: int, total: int) -> None:
        """Count the tickets written, and pass the progress on."""
        if phase == "tickets":
            self.done = done
        self.forward(phase, done, total)
        if phase == "experts":
            # Between two sign-ups: commit now and then, as between the replay's steps.
            self()

    def __call__(self) -> bool:
        """Commit if the last commit is ``CHECKPOINT_SECONDS`` old; return whether it did."""
        if time.monotonic() - self.last < CHECKPOINT_SECONDS:
            return False
        self.commit()
        return True

    def commit(self) -> None:
        """Hold the replay's queued jobs, record the progress, commit, then release them."""
        self.session.execute(
            update(Job)
            .where(Job.status == JobStatus.QUEUED, Job.created_at < self.horizon)
            .values(status=JobStatus.HELD)
        )
        self._record(JobStatus.RUNNING)
        self.session.commit()
        self.session.execute(
            update(Job).where(Job.status == JobStatus.HELD).values(status=JobStatus.QUEUED)
        )
        self.last = time.monotonic()

    def finish(self) -> None:
        """Mark the history complete and queue the demo's ongoing simulation."""
        self._record(JobStatus.DONE)
        demo_tasks.schedule_simulation(self.session)

    def _record(self, status: JobStatus) -> None:
        job = self.session.get_one(Job, self.job_id)
        now = _real_now()
        job.payload = {**job.payload, "done": self.done}
        job.status = status
        if status == JobStatus.RUNNING:
            job.lease_expires_at = now + LEASE
        else:
            job.locked_by = job.lease_expires_at = None
            job.finished_at = now
        self.session.flush()


def stop_history(session: Session) -> None:
    """Record that the history being written was stopped (its seeding process was ended)."""
    session.execute(
        update(Job)
        .where(Job.name == HISTORY_JOB, Job.status == JobStatus.RUNNING)
        .values(
            status=JobStatus.DEAD,
            locked_by=None,
            lease_expires_at=None,
            finished_at=_real_now(),
            last_error="stopped with the server before the history was complete",
        )
    )
