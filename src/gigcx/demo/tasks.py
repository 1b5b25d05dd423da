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
