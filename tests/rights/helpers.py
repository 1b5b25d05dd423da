import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.jobs.registry import get_handler
from gigcx.kit import clock


def run_privacy_jobs(session: Session) -> int:
    """Run the queued privacy jobs inline (payloads round-tripped through JSON), as the runner
    would; other queued work (triage, routing) is left alone."""
    jobs = session.scalars(
        select(Job)
        .where(Job.name.like("privacy.%"), Job.status == JobStatus.QUEUED)
        .order_by(Job.run_at)
    ).all()
    for job in jobs:
        get_handler(job.name)(session, json.loads(json.dumps(job.payload)))
        job.status = JobStatus.DONE
        job.finished_at = clock.now()
    session.flush()
    return len(jobs)
