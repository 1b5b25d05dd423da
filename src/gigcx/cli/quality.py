"""gigcx quality and gigcx training: the weekly tier review and certification expiry warnings."""

from datetime import date, timedelta
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from gigcx.cli.output import console, domain_errors, require_schema
from gigcx.db.session import unit_of_work
from gigcx.kit import clock
from gigcx.quality import formulas
from gigcx.quality import service as quality_service
from gigcx.training import service as training_service

app = typer.Typer(help="Quality: the weekly tier review and the published criteria.")
training_app = typer.Typer(help="Training: certification expiry warnings.")


def _week(value: str | None) -> date:
    if value is None:
        return clock.now().date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None


@app.command("tiers")
def tiers(
    week: Annotated[
        str | None,
        typer.Option(help="Any day of the week to review (YYYY-MM-DD); this week by default."),
    ] = None,
    schedule: Annotated[
        bool,
        typer.Option(
            "--schedule", help="Also have the job runner repeat the review every Monday after."
        ),
    ] = False,
) -> None:
    """Re-evaluate every active enrollment's tier; running it twice for a week changes nothing."""
    out = console()
    day = _week(week)
    require_schema()
    with domain_errors(), unit_of_work() as session, Progress(console=out) as progress:
        task = progress.add_task("reviewing tiers", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = quality_service.review_tiers(session, day, progress=report)
        next_run = (
            quality_service.schedule_tier_reviews(session, summary.week_start) if schedule else None
        )
    table = Table(title=f"Tier review, week of {summary.week_start.isoformat()}")
    table.add_column("outcome")
    table.add_column("enrollments", justify="right")
    for outcome, count in summary.counts.items():
        table.add_row(outcome, str(count))
    out.print(table)
    if next_run is not None:
        out.print(f"the job runner repeats it weekly, next at {next_run.isoformat()}")


@app.command("criteria")
def criteria() -> None:
    """Print the published tier criteria and the quality score formula."""
    out = console()
    table = Table(title="Tiers")
    table.add_column("tier")
    table.add_column("criteria")
    table.add_row("new", formulas.NEW_TIER_TEXT)
    for rule in formulas.TIER_RULES.values():
        table.add_row(rule.tier.value, rule.describe())
    out.print(table)
    out.print(f"quality score = {formulas.FORMULA}")
    out.print(
        f"prior {formulas.PRIOR} worth {formulas.PRIOR_WEIGHT}; window {formulas.WINDOW_DAYS} "
        f"days; CSAT weight {formulas.CSAT_WEIGHT}, QA weight {formulas.QA_WEIGHT}; warnings "
        f"give {formulas.WARNING_DAYS} days; removal below {formulas.REMOVAL_SCORE}"
    )


@training_app.command("warn-expiring")
def warn_expiring() -> None:
    """Warn experts whose certification expires within 14 days (once per certification)."""
    out = console()
    require_schema()
    with domain_errors(), unit_of_work() as session:
        count = training_service.warn_expiring(session)
    out.print(f"warned {count} expert certification(s) expiring by {_soon()}")


def _soon() -> str:
    moment = clock.now() + timedelta(days=training_service.EXPIRY_WARNING_DAYS)
    return moment.date().isoformat()
