"""The recurring job that seals new audit events into their chains.

It lives here, above both ``audit`` and ``jobs`` (which may not import each other).
"""

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.jobs import service as jobs_service
from gigcx.jobs.registry import handler
from gigcx.kit import clock

SEAL_JOB = "audit.seal"
# The window in which an event is written but not yet in its chain (see README, Audit log).
SEAL_EVERY = timedelta(seconds=30)
# One run seals at most this many events; a backlog is worked off over the next runs.
SEAL_LIMIT = 50_000


def schedule_seal(session: Session, _payload: dict[str, Any] | None = None) -> None:
    """Make sure the next sealing run is queued (each run queues the next)."""
    jobs_service.ensure_queued(session, SEAL_JOB, {}, run_at=clock.now() + SEAL_EVERY)


@handler(SEAL_JOB, timeout=timedelta(minutes=5), rearm=schedule_seal)
def seal(session: Session, _payload: dict[str, Any]) -> None:
    """Give the audit events written since the last run their places in their chains."""
    audit_service.seal(session, limit=SEAL_LIMIT)
