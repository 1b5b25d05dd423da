"""Job runners that crash or freeze mid-job, as OS processes on PostgreSQL.

A runner is a separate process running the real job runner on a database made for the test
(real commits). Time is moved forward inside the next runner process (``clock.shifted``) to let
a lease run out, instead of waiting for it; PostgreSQL's own timeouts run in real time.
"""

import multiprocessing
import os
import signal
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx import tasks
from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditEvent
from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Brand
from gigcx.db.session import make_engine, open_session, unit_of_work
from gigcx.jobs import runner
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.jobs.registry import handler
from gigcx.kit import clock
from tests.factories.brands import make_brand

assert tasks  # registers the real handlers, in the runner processes too

RUNNER_ENV = "GIGCX_TEST_RUNNER"
# Further than any lease of these tests: a runner started this much later finds it run out.
LEASE_OVER = timedelta(hours=1)
HOLD_TIMEOUT = timedelta(seconds=3)
spawn = multiprocessing.get_context("spawn")


def note(session: Session, action: str, subject: uuid.UUID) -> None:
    audit_service.record(
        session,
        actor=SYSTEM,
        action=action,
        subject_type="test",
        subject_id=subject,
        brand_id=None,
    )
    session.flush()


@handler("test.kill_runner")
def kill_runner(session: Session, payload: dict[str, Any]) -> None:
    """Write something, then kill the runner's own process before the job can finish."""
    note(session, "test.kill_runner.wrote", uuid.UUID(payload["subject"]))
    os.kill(os.getpid(), signal.SIGKILL)


@handler("test.note")
def note_job(session: Session, payload: dict[str, Any]) -> None:
    note(session, "test.note", uuid.UUID(payload["subject"]))


@handler("test.hold_brand", timeout=HOLD_TIMEOUT)
def hold_brand(session: Session, payload: dict[str, Any]) -> None:
    """Lock a brand row and rename it; the runner started as "frozen" stops itself meanwhile."""
    who = os.environ.get(RUNNER_ENV, "")
    brand_id = uuid.UUID(payload["brand_id"])
    brand = session.scalars(select(Brand).where(Brand.id == brand_id).with_for_update()).one()
    note(session, f"test.hold_brand.{who}", brand_id)
    if who == "frozen":
        os.kill(os.getpid(), signal.SIGSTOP)
    brand.name = f"renamed by the {who} runner"
    session.flush()


def run_runner(url: str, hours_later: int, who: str) -> None:
    """A job runner process: run every due job (as ``gigcx jobs run --once``), then exit."""
    os.environ[RUNNER_ENV] = who
    engine = make_engine(url, pool_size=2)
    try:
        with clock.shifted(LEASE_OVER * hours_later):
            runner.run_until_idle(sessionmaker(bind=engine, expire_on_commit=False))
    finally:
        engine.dispose()


def start_runner(url: str, hours_later: int, who: str) -> multiprocessing.process.BaseProcess:
    process = spawn.Process(target=run_runner, args=(url, hours_later, who))
    process.start()
    return process


def finish(process: multiprocessing.process.BaseProcess) -> int | None:
    # Not a time limit on the work: only a guard so a broken runner cannot hang the suite.
    process.join(timeout=600)
    if process.is_alive():
        process.kill()
    return process.exitcode


def job_state(factory: sessionmaker[Session], job_id: uuid.UUID) -> tuple[str, int, str | None]:
    with unit_of_work(factory, writes=False) as session:
        job = session.get_one(Job, job_id)
        return job.status, job.attempts, job.locked_by


def actions(factory: sessionmaker[Session], subject: uuid.UUID) -> list[str]:
    with unit_of_work(factory, writes=False) as session:
        statement = select(AuditEvent.action).where(
            AuditEvent.subject_id == subject, AuditEvent.action.startswith("test.")
        )
        return sorted(session.scalars(statement))


def process_state(pid: int) -> str:
    """The kernel's one-letter state of a process: "T" while it is stopped."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0]


def test_a_job_that_kills_its_runner_is_tried_max_attempts_times_then_dead_lettered(
    committing_database_url: str,
) -> None:
    url = committing_database_url
    engine = make_engine(url, pool_size=2)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    subject = uuid.uuid4()
    with unit_of_work(factory) as session:
        killer = jobs_service.enqueue(session, "test.kill_runner", {"subject": str(subject)})
        killer.max_attempts = 3
        # Due after the killer, so each runner meets the killer first.
        jobs_service.enqueue(
            session,
            "test.note",
            {"subject": str(subject)},
            run_at=clock.now() + timedelta(seconds=1),
        )
    exit_codes, states = [], []

    # Each runner is started after the one before died, later than the dead one's lease.
    for restart in range(4):
        exit_codes.append(finish(start_runner(url, restart, "restarted")))
        states.append(job_state(factory, killer.id)[:2])

    assert exit_codes == [-signal.SIGKILL] * 3 + [0]
    assert states == [
        (JobStatus.RUNNING, 1),
        (JobStatus.RUNNING, 2),
        (JobStatus.RUNNING, 3),
        (JobStatus.DEAD, 3),
    ]
    with unit_of_work(factory, writes=False) as session:
        dead = session.get_one(Job, killer.id)
        assert dead.last_error is not None
        assert dead.last_error.startswith("attempt 3 of 3 did not finish: its job runner (")
        assert dead.finished_at is not None
    # Nothing the killed runs wrote was committed; the job behind the killer was done.
    assert actions(factory, subject) == ["test.note"]
    engine.dispose()


def test_a_frozen_runner_blocks_nobody_and_cannot_commit_once_its_lease_is_taken(
    committing_database_url: str,
) -> None:
    url = committing_database_url
    engine = make_engine(url, pool_size=2)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with unit_of_work(factory) as session:
        brand_id = make_brand(session).id
        job = jobs_service.enqueue(session, "test.hold_brand", {"brand_id": str(brand_id)})
    frozen = start_runner(url, 0, "frozen")
    assert frozen.pid is not None
    try:
        # Wait until the runner has stopped itself, holding the brand's row lock.
        _, status = os.waitpid(frozen.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status)
        status_while_frozen, attempts, locked_by = job_state(factory, job.id)

        # An API-style transaction wants the same row. It waits at most until PostgreSQL ends
        # the frozen runner's idle transaction (the job's timeout); the lock timeout here is
        # only a guard against waiting for ever.
        with open_session(factory, writes=True, lock_timeout=120) as session:
            brand = session.scalars(
                select(Brand).where(Brand.id == brand_id).with_for_update()
            ).one()
            brand.name = "renamed by the API"
            note(session, "test.api", brand_id)
            session.commit()
        frozen_during_api = process_state(frozen.pid)

        # Another runner, once the lease has run out, takes the job over and finishes it.
        second = finish(start_runner(url, 1, "second"))
        frozen_during_second = process_state(frozen.pid)
        after_second = job_state(factory, job.id)
    finally:
        os.kill(frozen.pid, signal.SIGCONT)
    frozen_exit = finish(frozen)

    assert (status_while_frozen, attempts) == (JobStatus.RUNNING, 1)
    assert locked_by is not None and f":{frozen.pid}:" in locked_by
    assert (frozen_during_api, frozen_during_second) == ("T", "T")
    assert second == 0
    assert after_second == (JobStatus.DONE, 2, None)
    # Thawed, the frozen runner finds its lease taken: it commits nothing and exits normally.
    assert frozen_exit == 0
    assert job_state(factory, job.id) == (JobStatus.DONE, 2, None)
    assert actions(factory, brand_id) == ["test.api", "test.hold_brand.second"]
    with unit_of_work(factory, writes=False) as session:
        assert session.get_one(Brand, brand_id).name == "renamed by the second runner"
    engine.dispose()
