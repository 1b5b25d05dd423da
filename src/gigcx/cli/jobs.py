"""gigcx jobs: run the job runner."""

import signal
import threading
from typing import Annotated

import typer

from gigcx import tasks
from gigcx.cli.output import console, require_schema
from gigcx.config import get_settings
from gigcx.db.session import get_sessionmaker
from gigcx.jobs import runner

assert tasks  # registers every job handler

app = typer.Typer(help="The job runner: offer expiry, SLA checks, payments and other due work.")


@app.command("run")
def run(
    once: Annotated[
        bool, typer.Option("--once", help="Run the jobs due now until none is left, then exit.")
    ] = False,
    poll: Annotated[
        float | None,
        typer.Option(min=0.05, help="Seconds to sleep when idle (default from settings)."),
    ] = None,
) -> None:
    """Run due jobs; Ctrl-C stops after the job in progress."""
    out = console()
    require_schema()
    factory = get_sessionmaker()
    if once:
        stats = runner.run_until_idle(factory)
        out.print(f"ran {stats.total} job(s): {stats.done} done, {stats.failed} failed")
        return
    stop = threading.Event()
    thread = threading.Thread(
        target=runner.run_forever,
        kwargs={
            "factory": factory,
            "poll_seconds": poll or get_settings().job_poll_seconds,
            "stop": stop,
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
