"""gigcx jobs: run the job runner; list, retry and purge jobs."""

import signal
import threading
import uuid
from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from gigcx import tasks
from gigcx.cli.output import console, domain_errors, fail, require_schema
from gigcx.config import get_settings
from gigcx.db.session import get_sessionmaker, unit_of_work
from gigcx.jobs import runner
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job

assert tasks  # registers every job handler

app = typer.Typer(
    help="The job runner (offer expiry, SLA checks, payments and other due work) and its jobs.",
    no_args_is_help=True,
)


@app.command("run")
def run(
    once: Annotated[
        bool, typer.Option("--once", help="Run the jobs due now until none is left, then exit.")
    ] = False,
    poll: Annotated[
        float | None,
        typer.Option(min=0.05, help="Seconds to sleep when idle (default from settings)."),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Run only jobs of this name (repeat for more), e.g. routing.route: a runner "
            "that slow jobs never hold up. Other runners must run the rest.",
        ),
    ] = None,
) -> None:
    """Run due jobs; Ctrl-C or SIGTERM stops after the job in progress."""
    out = console()
    require_schema()
    factory = get_sessionmaker()
    if only:
        try:
            runner.runnable_names(only)
        except LookupError as error:
            raise fail(str(error)) from error
    if once:
        stats = runner.run_until_idle(factory, only=only or None)
        lost = f", {stats.lost} taken over by another runner" if stats.lost else ""
        out.print(f"ran {stats.total} job(s): {stats.done} done, {stats.failed} failed{lost}")
        return
    stop = threading.Event()
    thread = threading.Thread(
        target=runner.run_forever,
        kwargs={
            "factory": factory,
            "poll_seconds": poll or get_settings().job_poll_seconds,
            "stop": stop,
            "only": only or None,
        },
        name="gigcx-job-runner",
    )
    # Ctrl-C and SIGTERM (from a process manager) both stop the runner; SIGINT is set
    # explicitly because a shell starts background commands with it ignored.
    stopping = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, signal.default_int_handler) for sig in stopping}
    out.print("job runner started; press Ctrl-C to stop")
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        out.print("stopping after the job in progress...")
    finally:
        stop.set()
        thread.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    out.print("job runner stopped")


def _error_summary(text: str | None) -> str:
    """The last line of a traceback: the exception and its message."""
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:160] if lines else ""


def _when(job: Job) -> str:
    moment = {
        JobStatus.QUEUED: job.run_at,
        JobStatus.RUNNING: job.lease_expires_at,
    }.get(job.status, job.finished_at)
    return f"{moment:%Y-%m-%d %H:%M:%S}" if moment else ""


@app.command("list")
def list_jobs(
    status: Annotated[
        JobStatus | None, typer.Option(help="Only jobs in this status (dead: dead-lettered).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Only jobs of this name.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="At most this many rows.")] = 50,
) -> None:
    """The newest jobs with their status, attempts and last error; counts per status."""
    out = console()
    require_schema()
    with unit_of_work(writes=False) as session:
        counts = jobs_service.count_by_status(session, name=name)
        jobs = jobs_service.list_jobs(session, status=status, name=name, limit=limit)
        table = Table(title="Jobs, newest first", title_justify="left")
        for column in ("id", "name", "status", "attempts", "due / lease / finished", "error"):
            table.add_column(column, no_wrap=column != "error")
        for job in jobs:
            table.add_row(
                str(job.id),
                job.name,
                job.status,
                f"{job.attempts}/{job.max_attempts}",
                _when(job),
                _error_summary(job.last_error),
            )
    out.print(table)
    out.print(" · ".join(f"{status}: {number}" for status, number in counts.items()))
    if counts[JobStatus.DEAD]:
        out.print("retry dead jobs with `gigcx jobs retry ID` or `gigcx jobs retry --all-dead`")


@app.command("retry")
def retry(
    job_id: Annotated[
        uuid.UUID | None, typer.Argument(help="The dead job to queue again.", show_default=False)
    ] = None,
    all_dead: Annotated[
        bool, typer.Option("--all-dead", help="Queue every dead job (of --name) again.")
    ] = False,
    name: Annotated[str | None, typer.Option(help="With --all-dead: only this name.")] = None,
) -> None:
    """Queue dead-lettered jobs again, due now, with their attempts counted from zero."""
    out = console()
    require_schema()
    if (job_id is None) == (not all_dead):
        raise fail("give one job id, or --all-dead (see `gigcx jobs list --status dead`)")
    with domain_errors(), unit_of_work() as session:
        if job_id is not None:
            job = jobs_service.retry(session, job_id)
            out.print(f"job {job.id} ({job.name}) is queued again")
            return
        number = jobs_service.retry_dead(session, name=name)
    out.print(f"{number} dead job(s) queued again")


@app.command("purge")
def purge(
    older_than: Annotated[
        int | None,
        typer.Option(
            "--older-than",
            min=0,
            help="Days since they finished (default: GIGCX_JOB_RETENTION_DAYS).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Delete done and dead jobs that finished more than N days ago."""
    out = console()
    require_schema()
    days = get_settings().job_retention_days if older_than is None else older_than
    with unit_of_work() as session:
        number = jobs_service.purge_finished(session, older_than=timedelta(days=days))
    out.print(f"purged {number} job(s) that finished more than {days} day(s) ago")
