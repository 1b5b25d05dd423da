from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditEvent
from gigcx.auth.principal import SYSTEM
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.jobs.registry import handler
from gigcx.kit import clock
from gigcx.kit.ids import new_id
from tests.factories.tickets import run_jobs

SUBJECT = new_id()


@handler("test.audit")
def write_audit(session: Session, payload: dict[str, Any]) -> None:
    audit_service.record(
        session,
        actor=SYSTEM,
        action=payload["action"],
        subject_type="test",
        subject_id=SUBJECT,
        brand_id=None,
    )
    if payload.get("fail"):
        raise RuntimeError("handler failed after writing")


def audit_actions(session: Session) -> list[str]:
    statement = select(AuditEvent.action).where(AuditEvent.subject_id == SUBJECT)
    return sorted(session.scalars(statement))


def test_a_job_runs_once_when_due(session: Session, factory: sessionmaker[Session]) -> None:
    job = jobs_service.enqueue(session, "test.audit", {"action": "now"})
    jobs_service.enqueue(
        session, "test.audit", {"action": "later"}, run_at=clock.now() + timedelta(hours=1)
    )
    session.commit()

    first, second = run_jobs(factory), run_jobs(factory)

    assert (first.done, second.done) == (1, 0)
    assert audit_actions(session) == ["now"]
    session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)


def test_a_failing_job_leaves_nothing_behind_and_is_retried_later(
    session: Session, factory: sessionmaker[Session]
) -> None:
    job = jobs_service.enqueue(session, "test.audit", {"action": "boom", "fail": True})
    job.max_attempts = 2
    session.commit()

    stats = run_jobs(factory)

    assert stats.failed == 1
    session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)
    assert "handler failed after writing" in (job.last_error or "")
    assert audit_actions(session) == []
    with clock.shifted(timedelta(seconds=3)):
        run_jobs(factory)
    session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.DEAD, 2)


def test_payloads_are_stored_as_json(session: Session) -> None:
    job = jobs_service.enqueue(session, "test.audit", {"action": "x", "ids": (1, 2)})
    session.flush()

    stored = session.scalars(select(Job.payload).where(Job.id == job.id)).one()
    assert stored == {"action": "x", "ids": [1, 2]}
