"""gigcx payouts: settle a week, watch demand for surges, check hourly floors."""

from typing import Annotated

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gigcx.cli.output import console, domain_errors, require_schema
from gigcx.db.session import unit_of_work
from gigcx.payments import service as payments_service
from gigcx.payments import tasks as payments_tasks

app = typer.Typer(help="Weekly payouts, surges and hourly floors.", no_args_is_help=True)


@app.command("run")
def run(
    week: Annotated[
        str | None,
        typer.Option(help="ISO week YYYY-Www; the last finished week when left out."),
    ] = None,
) -> None:
    """Pay a finished week's bonuses and settle its payouts; running it again changes nothing."""
    out = console()
    require_schema()
    label = week or payments_service.last_finished_week().label
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with domain_errors(), Progress(*columns, console=out) as progress:
        bar = progress.add_task(f"Settling payouts for {label}", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(bar, completed=done, total=total)

        with unit_of_work() as session:
            result = payments_service.run_week(session, week=label, progress=advance)
        progress.update(bar, total=max(result.payouts.payouts, 1), completed=result.payouts.payouts)
    run_ = result.payouts
    table = Table(title=f"Payouts for {run_.week}", box=box.SIMPLE_HEAD)
    for name in ("currency", "payouts", "lines", "total"):
        table.add_column(name, justify="left" if name == "currency" else "right")
    for currency, total in sorted(run_.totals.items()):
        table.add_row(currency, "", "", f"{total:.2f}")
    table.add_row("all", str(run_.payouts), str(run_.lines), "")
    out.print(table)
    out.print(
        f"bonuses paid: {result.bonuses} · experts carried to a later week (net below zero): "
        f"{run_.carried} · held without a payout method: {run_.held} (paid by a later run "
        "once they enter one)"
    )
    if run_.payouts == 0 and not run_.held:
        out.print("nothing left to settle for this week")


@app.command("watch-demand")
def watch_demand() -> None:
    """Evaluate surges now and keep the job runner evaluating them every minute."""
    out = console()
    require_schema()
    with unit_of_work() as session:
        surges = payments_service.evaluate_surges(session)
        payments_tasks.schedule_surge_watch(session)
        table = Table(title="Surges announced", box=box.SIMPLE_HEAD)
        for name in ("program", "language", "multiplier", "waiting", "free seats", "starts at"):
            table.add_column(name)
        for surge in surges:
            table.add_row(
                str(surge.program_id),
                surge.language,
                f"x{surge.multiplier}",
                str(surge.waiting),
                str(surge.capacity),
                f"{surge.starts_at:%Y-%m-%d %H:%M} UTC",
            )
    out.print(table if surges else "no program needs a surge now")
    out.print("the job runner looks again every minute")
