"""Enqueue due work in the caller's transaction (transactional outbox)."""

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gigcx.jobs.models import Job
from gigcx.kit import clock


def enqueue(
    session: Session, name: str, payload: dict[str, Any], *, run_at: datetime | None = None
) -> Job:
    """Add a job that runs at ``run_at`` (now by default) once this transaction commits."""
    # Round-trip through JSON here so a payload that would not survive storage fails at once.
    job = Job(name=name, payload=json.loads(json.dumps(payload)), run_at=run_at or clock.now())
    session.add(job)
    return job
