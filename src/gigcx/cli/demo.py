"""gigcx demo: seed a demo marketplace."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gigcx.cli.output import (
    console,
    domain_errors,
    print_summary,
    require_schema,
    safe_url,
    seeding_progress,
)
from gigcx.config import get_settings
from gigcx.db import migrate
from gigcx.db.session import unit_of_work
from gigcx.demo import bitext
from gigcx.demo.seed import DemoSummary, seed_demo

app = typer.Typer(help="Demo data.", no_args_is_help=True)


def seed_with_progress(out: Console, *, experts: int, tickets: int, seed: int) -> DemoSummary:
    """Seed the demo in one unit of work, showing progress bars."""
    with domain_errors(), seeding_progress(out) as progress, unit_of_work() as session:
        return seed_demo(session, experts=experts, tickets=tickets, seed=seed, progress=progress)


@app.command("seed")
def seed(
    experts: Annotated[int, typer.Option(min=0, max=1000, help="How many experts.")] = 60,
    tickets: Annotated[
        int, typer.Option(min=0, max=20_000, help="How many tickets (most of them historical).")
    ] = 300,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed builds the same demo.")] = 7,
) -> None:
    """Seed two brands, three programs, experts and two weeks of tickets into an empty database."""
    out = console()
    url = get_settings().database_url
    migrate.upgrade(url)
    out.print(f"database {safe_url(url)} is up to date")
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
