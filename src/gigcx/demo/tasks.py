"""Due work of the demo: its simulated experts and customers, every SIMULATE_EVERY."""

import logging
import random
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand
from gigcx.demo import simulation
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.jobs.registry import handler
from gigcx.kit import clock

log = logging.getLogger(__name__)

SIMULATE_JOB = "demo.simulate"
SIMULATE_EVERY = timedelta(seconds=20)


def schedule_simulation(session: Session, *, seed: int | None = None, run: int = 1) -> Job | None:
    """Queue the demo's simulation if a demo brand exists and none is queued (each run queues
    the next); return the queued job, if this call queued it."""
    queued = select(Job.id).where(Job.name == SIMULATE_JOB, Job.status == JobStatus.QUEUED)
    if session.scalar(queued.limit(1)) is not None:
        return None
    if session.scalar(select(Brand.id).where(Brand.is_demo.is_(True)).limit(1)) is None:
        return None
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    return jobs_service.enqueue(
        session, SIMULATE_JOB, {"seed": seed, "run": run}, run_at=clock.now() + SIMULATE_EVERY
    )


def _rearm(session: Session, payload: dict[str, Any]) -> None:
    schedule_simulation(
        session, seed=int(payload.get("seed") or 0), run=int(payload.get("run") or 0) + 1
    )


@handler(SIMULATE_JOB, timeout=timedelta(seconds=60), rearm=_rearm)
def simulate(session: Session, payload: dict[str, Any]) -> None:
    """Let the demo brands' simulated experts and customers do what is due now."""
    activity = simulation.simulate(
        session, seed=int(payload.get("seed") or 0), run=int(payload.get("run") or 0)
    )
    log.debug("demo simulation run %s: %s", payload.get("run"), activity)


HISTORY_JOB = "demo.history"
# How long the seeding process's hold on the history's record lasts unless renewed.
HISTORY_LEASE = timedelta(minutes=10)


@handler(HISTORY_JOB, timeout=HISTORY_LEASE)
def history(_session: Session, payload: dict[str, Any]) -> None:
    """Record the demo's history being written; never run (gigcx.demo.staged).

    The seeding process holds this job while it writes, with one attempt: a runner that finds
    its lease run out dead-letters it without running it.
    """
    log.warning("the demo's history stopped at %s tickets", payload.get("done"))
