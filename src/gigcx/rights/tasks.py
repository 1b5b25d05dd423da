import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.jobs import service as jobs_service
from gigcx.jobs.registry import handler
from gigcx.kit import clock
from gigcx.rights import service as rights_service

RETENTION_JOB = "privacy.retention"
RETENTION_EVERY = timedelta(days=1)


@handler(rights_service.EXPORT_JOB, timeout=timedelta(minutes=10))
def export(session: Session, payload: dict[str, Any]) -> None:
    """Build the zip of an export request; a finished request is left as it is."""
    rights_service.run_request(session, uuid.UUID(payload["request_id"]))


@handler(rights_service.ERASE_JOB, timeout=timedelta(minutes=10))
def erase(session: Session, payload: dict[str, Any]) -> None:
    """Carry out an erasure request; a finished request is left as it is."""
    rights_service.run_request(session, uuid.UUID(payload["request_id"]))


def schedule_retention(session: Session, _payload: dict[str, Any] | None = None) -> None:
    """Make sure the nightly retention run is queued (each run queues the next)."""
    jobs_service.ensure_queued(session, RETENTION_JOB, {}, run_at=clock.now() + RETENTION_EVERY)


@handler(RETENTION_JOB, timeout=timedelta(minutes=30), rearm=schedule_retention)
def apply_retention(session: Session, payload: dict[str, Any]) -> None:
    """Apply every brand's retention policy and delete export archives past their time."""
    for brand_id in rights_service.brands_with_policies(session):
        rights_service.apply_retention(session, brand_id, dry_run=False)
    rights_service.expire_archives_due(session)
