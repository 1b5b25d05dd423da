"""gigcx demo: seed a demo marketplace."""

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gigcx import server
from gigcx.cli.output import (
    console,
    domain_errors,
    print_counts,
    print_credentials,
    print_demo_sign_ins,
    print_summary,
    require_schema,
    safe_url,
    seeding_progress,
)
from gigcx.config import get_settings
from gigcx.db import migrate
from gigcx.db.session import unit_of_work
from gigcx.demo import ai as demo_ai
from gigcx.demo import bitext, staged
from gigcx.demo.seed import DemoSummary, seed_demo, seed_essentials, seed_history
from gigcx.demo.world import no_progress
from gigcx.jobs.runner import runner_name

app = typer.Typer(help="Demo data.", no_args_is_help=True)


def seed_with_progress(out: Console, *, experts: int, tickets: int, seed: int) -> DemoSummary:
    """Seed the demo in one unit of work, showing progress bars."""
    with domain_errors(), seeding_progress(out) as progress, unit_of_work() as session:
        return seed_demo(session, experts=experts, tickets=tickets, seed=seed, progress=progress)


# Printed alone on a line once stage one of a staged seed is committed (``gigcx serve`` waits
# for it before it starts serving).
ESSENTIALS_READY = "demo essentials committed"


def seed_staged(
    out: Console, *, experts: int, tickets: int, seed: int, show_progress: bool
) -> DemoSummary:
    """Seed the demo in two stages (gigcx.demo.staged), printing the sign-ins after the first."""
    with domain_errors():
        with unit_of_work() as session:
            essentials = seed_essentials(session, seed=seed)
            job_id = staged.begin_history(session, total=tickets, holder=runner_name())
        print_credentials(out, essentials.summary)
        out.print(ESSENTIALS_READY, highlight=False)
        out.file.flush()
        staff = len(essentials.summary.credentials)
        # On SQLite the next transaction holds the only write lock; load the model first.
        demo_ai.load_models()
        with ExitStack() as stack, unit_of_work() as session:
            report = stack.enter_context(seeding_progress(out)) if show_progress else no_progress
            checkpoints = staged.Checkpoints(
                session, job_id, horizon=essentials.world.horizon, progress=report
            )
            summary = seed_history(
                session,
                essentials,
                experts=experts,
                tickets=tickets,
                progress=checkpoints.progress,
                checkpoint=checkpoints,
            )
            checkpoints.finish()
    print_counts(out, summary)
    print_demo_sign_ins(out, summary.credentials[staff:])
    return summary


@app.command("seed")
def seed(
    experts: Annotated[int, typer.Option(min=0, max=1000, help="How many experts.")] = 60,
    tickets: Annotated[
        int, typer.Option(min=0, max=20_000, help="How many tickets (most of them historical).")
    ] = 300,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed builds the same demo.")] = 7,
    is_staged: Annotated[
        bool,
        typer.Option(
            "--staged",
            help="Commit brands and staff first, then the history as it goes, so that a running "
            "server shows the demo while it is written.",
        ),
    ] = False,
    show_progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show progress bars.")
    ] = True,
    parent: Annotated[
        int | None, typer.Option(hidden=True, help="Stop when this process (a server) stops.")
    ] = None,
    should_migrate: Annotated[
        bool, typer.Option("--migrate/--no-migrate", hidden=True, help="Migrate first.")
    ] = True,
) -> None:
    """Seed two brands, three programs, experts and two weeks of tickets into an empty database."""
    if parent is not None:
        server.stop_with_parent(parent)
    out = console()
    if should_migrate:
        url = get_settings().database_url
        migrate.upgrade(url)
        out.print(f"database {safe_url(url)} is up to date")
    if is_staged:
        seed_staged(out, experts=experts, tickets=tickets, seed=seed, show_progress=show_progress)
        return
    if not show_progress:
        with domain_errors(), unit_of_work() as session:
            summary = seed_demo(session, experts=experts, tickets=tickets, seed=seed)
    else:
        summary = seed_with_progress(out, experts=experts, tickets=tickets, seed=seed)
    print_summary(out, summary)


@app.command("import-bitext")
def import_bitext(
    path: Annotated[Path, typer.Argument(help="The Bitext sample CSV, or the folder holding it.")],
    brand: Annotated[str, typer.Option(help="The brand that gets the program.")] = "alpenglow",
    per_intent: Annotated[
        int, typer.Option(min=2, max=1000, help="Training examples per intent.")
    ] = 40,
) -> None:
    """Load Bitext's customer-support sample into a program: categories, answers, intent model."""
    out = console()
    require_schema()
    with domain_errors(), unit_of_work() as session:
        with out.status("encoding examples and training the intent model"):
            imported = bitext.import_bitext(session, path, brand_slug=brand, per_intent=per_intent)
        table = Table(title=f"Program {imported.program.slug}")
        for name in ("intents", "approved answers", "training examples"):
            table.add_column(name, justify="right")
        table.add_row(str(imported.intents), str(imported.answers), str(imported.examples))
        out.print(table)
