"""Rich output shared by the commands: errors, progress, the demo's credentials and counts."""

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import inspect, make_url

from gigcx.db.session import get_engine
from gigcx.demo.seed import Credential, DemoSummary
from gigcx.demo.world import Progress as ProgressCallback
from gigcx.errors import DomainError

PHASES = {"experts": "Signing up experts", "tickets": "Replaying two weeks of tickets"}


def console() -> Console:
    """Return a console on the current standard output."""
    return Console(highlight=False)


def fail(message: str) -> typer.Exit:
    """Print an error and return the exit to raise."""
    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn a domain error into its message and exit code 1, instead of a traceback."""
    try:
        yield
    except DomainError as error:
        raise fail(error.detail) from None


def require_schema() -> None:
    """Stop with a hint when the database has not been migrated yet."""
    if not inspect(get_engine()).has_table("alembic_version"):
        raise fail("the database has no tables yet; run `gigcx db upgrade` first")


def safe_url(url: str) -> str:
    """Return the database URL without its password."""
    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def seeding_progress(out: Console) -> Iterator[ProgressCallback]:
    """Show a progress bar per seeding phase; yield the callback that advances them."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=out) as progress:
        tasks = {}

        def report(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(PHASES.get(phase, phase), total=total)
            progress.update(tasks[phase], completed=done)

        yield report


def print_summary(out: Console, summary: DemoSummary) -> None:
    """Print what was seeded, then the credentials to sign in with (shown this once)."""
    print_counts(out, summary)
    print_credentials(out, summary)


def print_counts(out: Console, summary: DemoSummary) -> None:
    """Print what was seeded."""
    counts = Table(title="Demo data", title_justify="left")
    counts.add_column("what")
    counts.add_column("count", justify="right")
    for name, number in summary.counts.items():
        counts.add_row(name, str(number))
    for status, number in summary.ticket_statuses.items():
        counts.add_row(f"  tickets {status}", str(number))
    for money in summary.earnings:
        counts.add_row(f"earned ({money.currency})", f"{money.amount}")
    counts.add_row("jobs run", f"{summary.jobs_done} done, {summary.jobs_failed} failed")
    out.print(counts)


def print_credentials(out: Console, summary: DemoSummary) -> None:
    """Print the demo accounts and API keys (the keys are shown this once)."""
    print_demo_sign_ins(out, summary.credentials)
    for key in summary.api_keys:
        out.print(f"API key for {key.brand} (shown once): [bold]{key.key}[/]", soft_wrap=True)


def print_demo_sign_ins(out: Console, credentials: list[Credential]) -> None:
    """Print the demo accounts to sign in with."""
    if not credentials:
        return
    table = Table(title="Demo sign-in", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("account")
    table.add_column("email", no_wrap=True)
    table.add_column("password", no_wrap=True)
    for credential in credentials:
        who = credential.brand or credential.name
        table.add_row(f"{credential.role}\n[dim]{who}[/]", credential.email, credential.password)
    out.print(table)
