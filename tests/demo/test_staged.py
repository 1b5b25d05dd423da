"""The demo seeded in stages: the same demo as in one go, with commits that hide its jobs."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.auth.models import User
from gigcx.brands.models import Brand
from gigcx.db import migrate
from gigcx.db.session import make_engine, open_session, unit_of_work
from gigcx.demo import staged
from gigcx.demo import tasks as demo_tasks
from gigcx.demo.seed import DemoSummary, seed_demo, seed_essentials, seed_history
from gigcx.experts.models import Expert
from gigcx.jobs import runner
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock

EXPERTS, TICKETS, SEED = 8, 20, 11
SEEDED_AT = datetime(2026, 11, 18, 15, 45, tzinfo=UTC)


def _factory(path: Path) -> sessionmaker[Session]:
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    return sessionmaker(bind=make_engine(url), expire_on_commit=False)


@pytest.fixture(scope="module")
def at_once(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    factory = _factory(tmp_path_factory.mktemp("at-once") / "demo.db")
    with clock.travel_to(SEEDED_AT), unit_of_work(factory) as session:
        return seed_demo(session, experts=EXPERTS, tickets=TICKETS, seed=SEED)


@pytest.fixture(scope="module")
def in_stages(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[sessionmaker[Session], DemoSummary, list[dict[str, int]]]]:
    """The staged seed, committing at every step; each commit is looked at from outside."""
    factory = _factory(tmp_path_factory.mktemp("staged") / "demo.db")
    seen: list[dict[str, int]] = []
    with pytest.MonkeyPatch.context() as patch, clock.travel_to(SEEDED_AT):
        patch.setattr(staged, "CHECKPOINT_SECONDS", 0.0)
        with unit_of_work(factory) as session:
            essentials = seed_essentials(session, seed=SEED)
            job_id = staged.begin_history(session, total=TICKETS, holder="test")
        with unit_of_work(factory) as session:
            checkpoints = staged.Checkpoints(session, job_id, horizon=essentials.world.horizon)

            def checkpoint() -> bool:
                committed = checkpoints()
                if committed and len(seen) < 400:
                    seen.append(_look_from_outside(factory, essentials.world.horizon))
                return committed

            summary = seed_history(
                session,
                essentials,
                experts=EXPERTS,
                tickets=TICKETS,
                progress=checkpoints.progress,
                checkpoint=checkpoint,
            )
            checkpoints.finish()
    yield factory, summary, seen
    bind = factory.kw["bind"]
    bind.dispose()


def _look_from_outside(factory: sessionmaker[Session], horizon: datetime) -> dict[str, int]:
    with open_session(factory, writes=False) as other:
        progress = staged.history_progress(other)
        assert progress is not None
        replayed_and_queued = select(func.count()).where(
            Job.status == JobStatus.QUEUED, Job.created_at < horizon
        )
        return {
            "done": progress.done,
            "running": int(progress.is_running),
            "queued": other.scalar(replayed_and_queued) or 0,
            "held": other.scalar(select(func.count()).where(Job.status == JobStatus.HELD)) or 0,
        }


def test_a_staged_seed_builds_the_same_demo_as_one_in_one_go(
    at_once: DemoSummary,
    in_stages: tuple[sessionmaker[Session], DemoSummary, list[dict[str, int]]],
) -> None:
    _, summary, _ = in_stages

    assert summary.counts == at_once.counts
    assert summary.ticket_statuses == at_once.ticket_statuses
    assert summary.earnings == at_once.earnings
    assert (summary.jobs_done, summary.jobs_failed) == (at_once.jobs_done, at_once.jobs_failed)
    assert [(c.role, c.email) for c in summary.credentials] == [
        (c.role, c.email) for c in at_once.credentials
    ]


def test_between_its_commits_the_replayed_jobs_are_held_from_every_runner(
    in_stages: tuple[sessionmaker[Session], DemoSummary, list[dict[str, int]]],
) -> None:
    _, _, seen = in_stages

    assert len(seen) > 10
    assert {look["queued"] for look in seen} == {0}
    assert {look["running"] for look in seen} == {1}
    assert any(look["held"] > 0 for look in seen)
    done = [look["done"] for look in seen]
    assert done == sorted(done)
    assert done[-1] > 0


def test_once_written_the_history_is_complete_and_its_jobs_queued_again(
    in_stages: tuple[sessionmaker[Session], DemoSummary, list[dict[str, int]]],
) -> None:
    factory, _, _ = in_stages

    with factory() as session:
        record = session.scalars(select(Job).where(Job.name == staged.HISTORY_JOB)).one()
        held = session.scalar(select(func.count()).where(Job.status == JobStatus.HELD))
        simulation = session.scalar(
            select(func.count()).where(
                Job.name == demo_tasks.SIMULATE_JOB, Job.status == JobStatus.QUEUED
            )
        )
        progress = staged.history_progress(session)

    assert (record.status, record.payload["done"], record.locked_by) == (
        JobStatus.DONE,
        TICKETS,
        None,
    )
    assert held == 0
    assert simulation == 1
    assert progress is None


def test_stage_one_alone_has_brands_and_staff_to_sign_in_with(tmp_path: Path) -> None:
    factory = _factory(tmp_path / "demo.db")
    with unit_of_work(factory) as session:
        essentials = seed_essentials(session, seed=SEED)
        staged.begin_history(session, total=TICKETS, holder="test")

    with factory() as session:
        brands = session.scalar(select(func.count()).select_from(Brand))
        users = session.scalar(select(func.count()).select_from(User))
        experts = session.scalar(select(func.count()).select_from(Expert))
        progress = staged.history_progress(session)
    assert (brands, users, experts) == (2, 5, 0)
    assert [c.role for c in essentials.summary.credentials] == [
        "platform admin",
        "brand admin",
        "in-house agent",
        "brand admin",
        "in-house agent",
    ]
    assert progress == staged.HistoryProgress(done=0, total=TICKETS, is_running=True)


def test_a_history_whose_seeding_process_died_is_dead_lettered_not_run(tmp_path: Path) -> None:
    factory = _factory(tmp_path / "demo.db")
    with unit_of_work(factory) as session:
        job_id = staged.begin_history(session, total=TICKETS, holder="gone")
        session.get_one(Job, job_id).lease_expires_at = clock.now() - timedelta(seconds=1)

    stats = runner.run_until_idle(factory)

    with factory() as session:
        record = session.get_one(Job, job_id)
        progress = staged.history_progress(session)
    assert (stats.done, stats.failed) == (0, 0)
    assert record.status == JobStatus.DEAD
    assert record.attempts == 1
    assert progress == staged.HistoryProgress(done=0, total=TICKETS, is_running=False)


def test_a_history_stopped_with_the_server_says_so_at_once(tmp_path: Path) -> None:
    factory = _factory(tmp_path / "demo.db")
    with unit_of_work(factory) as session:
        staged.begin_history(session, total=TICKETS, holder="seeding process")

    with unit_of_work(factory) as session:
        staged.stop_history(session)

    with factory() as session:
        progress = staged.history_progress(session)
    assert progress == staged.HistoryProgress(done=0, total=TICKETS, is_running=False)
