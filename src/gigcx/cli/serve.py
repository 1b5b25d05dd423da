"""gigcx serve: migrate, seed the demo into an empty database, then serve the app."""

import importlib
import os
import subprocess
import sys
import threading
from typing import IO, Annotated

import typer
from sqlalchemy.orm import Session

from gigcx import server
from gigcx.channels.community import tasks as community_tasks
from gigcx.channels.email import lmtp
from gigcx.channels.email import tasks as email_tasks
from gigcx.channels.helpdesk import tasks as helpdesk_tasks
from gigcx.cli.demo import ESSENTIALS_READY
from gigcx.cli.output import console, fail, print_demo_sign_ins, safe_url
from gigcx.config import get_settings
from gigcx.db import migrate
from gigcx.db.session import get_engine, unit_of_work
from gigcx.demo import staged
from gigcx.demo import tasks as demo_tasks
from gigcx.demo.seed import demo_sign_ins, has_brands
from gigcx.jobs import tasks as jobs_tasks
from gigcx.payments import tasks as payments_tasks
from gigcx.planning import tasks as planning_tasks
from gigcx.privacy import audit_tasks
from gigcx.rights import tasks as rights_tasks
from gigcx.routing import tasks as routing_tasks


def schedule_recurring_jobs(session: Session) -> None:
    """Queue each recurring job once, however many servers start on the database.

    Demand is watched every minute, the routing roster and missed-offer digests hourly, floors
    daily, payouts weekly, finished jobs purged, retention policies applied and arrivals
    forecast daily, each mailbox with IMAP polled at its interval, Zendesk connections pulled
    when due; one queued job of each serves every process, and each run queues the next (also
    when it fails).
    """
    payments_tasks.schedule_surge_watch(session)
    routing_tasks.schedule_roster_reconcile(session)
    payments_tasks.schedule_weekly_payouts(session)
    payments_tasks.schedule_floor_checks(session)
    jobs_tasks.schedule_purge(session)
    email_tasks.schedule_polls(session)
    helpdesk_tasks.schedule_tick(session)
    community_tasks.schedule_digests(session)
    rights_tasks.schedule_retention(session)
    planning_tasks.schedule_forecasts(session)
    # New audit events get their place in their hash chain every 30 seconds.
    audit_tasks.schedule_seal(session)


DEMO_SIZE = ("--experts", "60", "--tickets", "300", "--seed", "7")


def _echo(stream: IO[str]) -> None:
    for line in stream:
        sys.stdout.write(line)
        sys.stdout.flush()


def start_demo_seeding(*, serves_here: bool) -> subprocess.Popen[str]:
    """Seed the demo in a process of its own, staged; return once its brands and staff are in.

    The rest of its history is written while the server answers (gigcx.demo.staged); the
    process stops when this one does, and what it prints shows here. Meanwhile a server that
    runs in this process imports the app, on the other core.
    """
    command = [
        sys.executable,
        "-m",
        "gigcx",
        "demo",
        "seed",
        "--staged",
        "--no-progress",
        "--no-migrate",
        *DEMO_SIZE,
        f"--parent={os.getpid()}",
    ]
    # Our own interpreter and module, with arguments we built: no untrusted input.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    assert process.stdout is not None
    if serves_here:
        importlib.import_module(server.APP.split(":", 1)[0])
    for line in process.stdout:
        if line.strip() == ESSENTIALS_READY:
            break
        sys.stdout.write(line)
    else:
        raise fail(f"seeding the demo stopped (exit status {process.wait()})")
    threading.Thread(
        target=_echo, args=(process.stdout,), name="gigcx-demo-seed", daemon=True
    ).start()
    return process


def _stop(process: subprocess.Popen[str] | None) -> None:
    """End the demo's seeding process if it still runs, and say where its history stopped."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    process.wait()
    with unit_of_work() as session:
        staged.stop_history(session)


def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to bind (default from settings).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
    processes: Annotated[
        int | None, typer.Option(min=1, help="API processes (default from settings).")
    ] = None,
    jobs: Annotated[
        bool, typer.Option("--jobs/--no-jobs", help="Run the job runner inside the server.")
    ] = True,
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Seed the demo if the database is empty.")
    ] = True,
) -> None:
    """Bring the database up to date, seed the demo if it is empty, and serve the app."""
    if not jobs:
        # Through the environment, so that every server process reads the same setting.
        os.environ["GIGCX_RUN_JOBS_IN_PROCESS"] = "false"
        get_settings.cache_clear()
    if processes is not None:
        # Each server process reads it: on SQLite, live feeds then also look again on a timer.
        os.environ["GIGCX_API_PROCESSES"] = str(processes)
        get_settings.cache_clear()
    settings = get_settings()
    out = console()
    migrate.upgrade(settings.database_url)
    out.print(f"database {safe_url(settings.database_url)} is up to date")
    with unit_of_work() as session:
        schedule_recurring_jobs(session)
    seeding = None
    if demo:
        with unit_of_work() as session:
            is_empty = not has_brands(session)
        if is_empty:
            out.print(
                "the database is empty: seeding the demo (once); its two weeks of history "
                "fill in while the server answers"
            )
            seeding = start_demo_seeding(serves_here=(processes or settings.api_processes) == 1)
        else:
            with unit_of_work() as session:
                print_demo_sign_ins(out, demo_sign_ins(session))
                history = staged.history_progress(session)
            if history is None:
                with unit_of_work() as session:
                    # The demo's simulated experts and customers keep its queue moving (a
                    # staged seed queues them once its history is written).
                    demo_tasks.schedule_simulation(session)
            elif not history.is_running:
                out.print(
                    f"the demo's history stopped at {history.done} of {history.total} tickets "
                    "(the server stopped while writing it); to seed it whole, start on an empty "
                    "database"
                )
    # Server processes open their own connections.
    get_engine().dispose()
    workers = processes or settings.api_processes
    base = f"http://{host or settings.host}:{port or settings.port}"
    out.print(
        f"serving on {base} ({workers} process(es), "
        f"job runner {'on' if settings.run_jobs_in_process else 'off'})\n"
        f"  start page (customer contact pages): {base}/\n"
        f"  expert view: {base}/expert   brand console: {base}/brand   API docs: {base}/docs"
    )
    listener = None
    if settings.lmtp_port is not None:
        listener = lmtp.listener(settings.lmtp_port)
        listener.start()
        out.print(f"  taking mail over LMTP on {lmtp.HOST}:{settings.lmtp_port}")
    try:
        server.serve(
            server.APP, host=host or settings.host, port=port or settings.port, processes=workers
        )
    finally:
        if listener is not None:
            listener.stop()
        _stop(seeding)
