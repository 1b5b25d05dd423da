from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditEvent
from gigcx.auth.principal import SYSTEM
from gigcx.jobs import runner
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.jobs.registry import handler
from gigcx.kit import clock
from gigcx.kit.ids import new_id
from tests.factories.tickets import run_jobs

SUBJECT = new_id()
TIMEOUT = timedelta(seconds=60)
LEASE_OVER = TIMEOUT + runner.LEASE_MARGIN + timedelta(seconds=1)
OBSERVED: list[tuple[str, int]] = []


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


@handler("test.observe")
def observe(session: Session, payload: dict[str, Any]) -> None:
    job = session.scalars(select(Job).where(Job.name == "test.observe")).one()
    OBSERVED.append((job.status, job.attempts))


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


def test_a_claim_counts_the_attempt_and_holds_a_lease_until_it_runs_out(
    session: Session, factory: sessionmaker[Session]
) -> None:
    job = jobs_service.enqueue(session, "test.audit", {"action": "leased"})
    session.commit()

    first = runner.claim_next(factory, "runner-a")
    while_leased = runner.claim_next(factory, "runner-b")
    session.refresh(job)
    claimed = (job.status, job.attempts, job.locked_by)
    with clock.shifted(LEASE_OVER):
        second = runner.claim_next(factory, "runner-b")

    assert first is not None and second is not None
    assert (first.attempt, second.attempt) == (1, 2)
    assert while_leased is None
    assert claimed == (JobStatus.RUNNING, 1, "runner-a")


def test_a_runner_whose_lease_was_taken_over_commits_nothing(
    session: Session, factory: sessionmaker[Session]
) -> None:
    job = jobs_service.enqueue(session, "test.audit", {"action": "once"})
    session.commit()
    stale = runner.claim_next(factory, "runner-a")
    with clock.shifted(LEASE_OVER):
        current = runner.claim_next(factory, "runner-b")
    assert stale is not None and current is not None

    stale_outcome = runner.run_claimed(factory, stale)
    current_outcome = runner.run_claimed(factory, current)

    assert (stale_outcome, current_outcome) == (None, True)
    assert audit_actions(session) == ["once"]
    session.refresh(job)
    assert (job.status, job.attempts, job.locked_by) == (JobStatus.DONE, 2, None)


def test_a_job_whose_runner_never_finishes_is_dead_lettered_after_max_attempts(
    session: Session, factory: sessionmaker[Session]
) -> None:
    job = jobs_service.enqueue(session, "test.audit", {"action": "never"})
    job.max_attempts = 2
    session.commit()

    claims = [runner.claim_next(factory, "runner-a")]
    with clock.shifted(LEASE_OVER):
        claims.append(runner.claim_next(factory, "runner-b"))
    with clock.shifted(LEASE_OVER * 2):
        claims.append(runner.claim_next(factory, "runner-c"))

    assert [c.attempt if c else None for c in claims] == [1, 2, None]
    session.refresh(job)
    assert (job.status, job.attempts, job.locked_by) == (JobStatus.DEAD, 2, None)
    assert job.last_error == (
        "attempt 2 of 2 did not finish: its job runner (runner-b) stopped or froze, "
        "and its lease ran out"
    )
    assert audit_actions(session) == []


def test_a_runner_leaves_jobs_it_has_no_handler_for_to_runners_that_do(
    session: Session, factory: sessionmaker[Session]
) -> None:
    unknown = jobs_service.enqueue(session, "elsewhere.only", {})
    known = jobs_service.enqueue(session, "test.audit", {"action": "known"})
    session.commit()

    stats = run_jobs(factory)

    assert (stats.done, stats.failed) == (1, 0)
    session.refresh(unknown)
    session.refresh(known)
    assert (unknown.status, unknown.attempts, unknown.last_error) == (JobStatus.QUEUED, 0, None)
    assert known.status == JobStatus.DONE


def test_a_handler_runs_with_its_job_claimed_and_the_attempt_counted(
    session: Session, factory: sessionmaker[Session]
) -> None:
    job = jobs_service.enqueue(session, "test.observe", {})
    session.commit()

    run_jobs(factory)

    assert OBSERVED == [(JobStatus.RUNNING, 1)]
    session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)
