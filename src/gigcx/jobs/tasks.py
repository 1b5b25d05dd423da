from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.config import get_settings
from gigcx.jobs import service as jobs_service
from gigcx.jobs.registry import handler
from gigcx.kit import clock

PURGE_JOB = "jobs.purge_finished"
PURGE_EVERY = timedelta(days=1)


def schedule_purge(session: Session, _payload: dict[str, Any] | None = None) -> None:
    """Make sure the daily purge of finished jobs is queued (each run queues the next)."""
    jobs_service.ensure_queued(session, PURGE_JOB, {}, run_at=clock.now() + PURGE_EVERY)


@handler(PURGE_JOB, timeout=timedelta(minutes=30), rearm=schedule_purge)
def purge_finished(session: Session, payload: dict[str, Any]) -> None:
    """Delete jobs that finished longer ago than the retention period; daily."""
    days = int(payload.get("days") or get_settings().job_retention_days)
    jobs_service.purge_finished(session, older_than=timedelta(days=days))
