"""gigcx jobs list | retry | purge against a temporary SQLite database."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from gigcx.db.session import unit_of_work
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from tests.cli.test_cli import database, invoke


def make_job(name: str, status: JobStatus, *, finished_days_ago: int | None = None) -> Job:
    with unit_of_work() as session:
        job = jobs_service.enqueue(session, name, {})
        job.status = status
        if finished_days_ago is not None:
            job.finished_at = clock.now() - timedelta(days=finished_days_ago)
        if status == JobStatus.DEAD:
            job.attempts = 5
            job.last_error = (
                "Traceback (most recent call last):\n  ...\nRuntimeError: the run broke"
            )
    return job


def stored(job: Job) -> tuple[str, int] | None:
    with unit_of_work(writes=False) as session:
        row = session.execute(select(Job.status, Job.attempts).where(Job.id == job.id)).first()
    return None if row is None else (row.status, row.attempts)


def test_list_shows_dead_letters_with_their_error_and_retry_queues_them_again(
    tmp_path: Path,
) -> None:
    with database(tmp_path / "jobs.db"):
        assert invoke("db", "upgrade").exit_code == 0
        dead = make_job("payments.watch_demand", JobStatus.DEAD, finished_days_ago=1)
        queued = make_job("routing.dispatch", JobStatus.QUEUED)

        listed = invoke("jobs", "list", "--status", "dead")
        retried = invoke("jobs", "retry", str(dead.id))
        again = invoke("jobs", "retry", str(dead.id))
        neither = invoke("jobs", "retry")

        assert listed.exit_code == 0, listed.output
        assert str(dead.id) in listed.output
        assert "RuntimeError: the run broke" in listed.output
        assert "5/5" in listed.output
        assert str(queued.id) not in listed.output
        assert "queued: 1 · running: 0 · done: 0 · dead: 1" in listed.output
        assert "gigcx jobs retry --all-dead" in listed.output
        assert retried.exit_code == 0
        assert f"job {dead.id} (payments.watch_demand) is queued again" in retried.output
        assert stored(dead) == (JobStatus.QUEUED, 0)
        assert again.exit_code == 1
        assert f"job {dead.id} is queued, not dead" in again.output
        assert neither.exit_code == 1
        assert "give one job id, or --all-dead" in neither.output


def test_retry_all_dead_queues_every_dead_job_of_a_name(tmp_path: Path) -> None:
    with database(tmp_path / "jobs.db"):
        assert invoke("db", "upgrade").exit_code == 0
        watch = [make_job("payments.watch_demand", JobStatus.DEAD) for _ in range(2)]
        other = make_job("routing.dispatch", JobStatus.DEAD)

        retried = invoke("jobs", "retry", "--all-dead", "--name", "payments.watch_demand")

        assert retried.exit_code == 0
        assert "2 dead job(s) queued again" in retried.output
        assert [stored(job) for job in watch] == [(JobStatus.QUEUED, 0)] * 2
        assert stored(other) == (JobStatus.DEAD, 5)


def test_purge_deletes_finished_jobs_older_than_the_retention(tmp_path: Path) -> None:
    with database(tmp_path / "jobs.db"):
        assert invoke("db", "upgrade").exit_code == 0
        old_done = make_job("routing.dispatch", JobStatus.DONE, finished_days_ago=10)
        old_dead = make_job("routing.dispatch", JobStatus.DEAD, finished_days_ago=10)
        recent = make_job("routing.dispatch", JobStatus.DONE, finished_days_ago=2)
        waiting = make_job("routing.dispatch", JobStatus.QUEUED)

        purged = invoke("jobs", "purge", "--older-than", "7")

        assert purged.exit_code == 0
        assert "purged 2 job(s) that finished more than 7 day(s) ago" in purged.output
        assert [stored(job) for job in (old_done, old_dead)] == [None, None]
        assert stored(recent) == (JobStatus.DONE, 0)
        assert stored(waiting) == (JobStatus.QUEUED, 0)


def test_a_runner_given_only_names_runs_those_and_leaves_the_rest_queued(
    tmp_path: Path,
) -> None:
    with database(tmp_path / "jobs.db"):
        assert invoke("db", "upgrade").exit_code == 0
        warn = make_job("training.warn_expiring", JobStatus.QUEUED)
        triage = make_job("assist.triage", JobStatus.QUEUED)

        unknown = invoke("jobs", "run", "--once", "--only", "routing.nothing")
        ran = invoke("jobs", "run", "--once", "--only", "training.warn_expiring")

        assert unknown.exit_code == 1
        assert "no job handler named 'routing.nothing'" in unknown.output
        assert ran.exit_code == 0, ran.output
        assert "ran 1 job(s)" in ran.output
        assert stored(warn) == (JobStatus.DONE, 1)
        assert stored(triage) == (JobStatus.QUEUED, 0)
