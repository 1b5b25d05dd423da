"""The job runner's common path: a queued job claimed in one statement, a success recorded in one
more, and lapsed leases looked for when nothing is queued or once per LEASE_CHECK_EVERY."""

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from gigcx.jobs import runner
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from tests.jobs.test_runner import audit_actions


def _jobs_statements(statements: list[str]) -> list[str]:
    # SQLite's runner first looks whether anything is due, without taking the write lock.
    return [
        " ".join(s.split())[:20]
        for s in statements
        if " jobs" in s and not s.lstrip().startswith("SELECT (EXISTS")
    ]


def test_a_queued_job_is_claimed_in_one_statement_and_its_success_recorded_in_one(
    session: Session, factory: sessionmaker[Session], statements: list[str]
) -> None:
    jobs_service.enqueue(session, "test.audit", {"action": "first"})
    session.commit()
    job = jobs_service.enqueue(session, "test.audit", {"action": "counted"})
    session.commit()
    now = clock.now() + timedelta(seconds=1)
    with clock.frozen_at(now):
        # The first claim also looks for lapsed leases (none); the next need not.
        assert runner.claim_next(factory, "runner-warm") is not None
        statements.clear()
        found = runner.claim_next(factory, "runner-warm")
        claiming = _jobs_statements(statements)
        statements.clear()
        assert found is not None
        outcome = runner.run_claimed(factory, found)
        finishing = _jobs_statements(statements)

    assert claiming == ["UPDATE jobs SET stat"]
    assert finishing == ["UPDATE jobs SET stat"]
    assert outcome is True
    assert audit_actions(session) == ["counted"]
    session.refresh(job)
    assert (job.status, job.attempts, job.locked_by, job.lease_expires_at) == (
        JobStatus.DONE,
        1,
        None,
        None,
    )


def test_a_claim_leases_the_job_for_its_handlers_timeout_plus_the_margin(
    session: Session, factory: sessionmaker[Session]
) -> None:
    job = jobs_service.enqueue(session, "test.audit", {"action": "leased"})
    session.commit()
    now = clock.now() + timedelta(seconds=1)

    with clock.frozen_at(now):
        found = runner.claim_next(factory, "runner-a")

    assert found is not None and found.job_id == job.id
    session.refresh(job)
    assert (job.status, job.attempts, job.locked_by) == (JobStatus.RUNNING, 1, "runner-a")
    assert job.lease_expires_at == now + timedelta(seconds=60) + runner.LEASE_MARGIN


def test_a_busy_runner_takes_queued_work_before_a_lapsed_lease_it_has_not_looked_for_yet(
    session: Session, factory: sessionmaker[Session]
) -> None:
    frozen, second, third = (
        jobs_service.enqueue(session, "test.audit", {"action": name})
        for name in ("frozen", "second", "third")
    )
    session.commit()
    now = clock.now() + timedelta(seconds=1)
    with clock.frozen_at(now):
        taken = [runner.claim_next(factory, "runner-z"), runner.claim_next(factory, "runner-a")]
        # runner-z froze: its lease runs out without the clock moving on.
        session.get_one(Job, frozen.id).lease_expires_at = now - timedelta(seconds=1)
        session.commit()
        taken += [runner.claim_next(factory, "runner-a") for _ in range(3)]
        with clock.frozen_at(now + runner.LEASE_CHECK_EVERY):
            idle = runner.claim_next(factory, "runner-a")

    assert [(c.job_id, c.attempt, c.runner) if c else None for c in taken] == [
        (frozen.id, 1, "runner-z"),
        (second.id, 1, "runner-a"),
        (third.id, 1, "runner-a"),
        # Nothing queued: it looks for lapsed leases at once.
        (frozen.id, 2, "runner-a"),
        None,
    ]
    assert idle is None
