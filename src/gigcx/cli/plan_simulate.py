"""``gigcx plan simulate``: replay a day through the real code and compare routing policies."""

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from gigcx import tasks
from gigcx.brands.models import Program
from gigcx.cli.output import console, domain_errors, fail
from gigcx.db.session import unit_of_work
from gigcx.demo.catalog import BRANDS
from gigcx.errors import InvalidInput
from gigcx.planning import service as planning_service
from gigcx.planning.simulation import compare
from gigcx.planning.simulation.metrics import DayMetrics
from gigcx.planning.simulation.world import Scenario, mix_for

assert tasks  # the simulated day runs every job handler

ROWS: tuple[tuple[str, str], ...] = (
    ("arrivals", "Arrivals"),
    ("answered", "Answered"),
    ("abandoned", "Abandoned"),
    ("escalated", "Escalated before an expert"),
    ("open", "Open at the horizon"),
    ("service_level", "Service level"),
    ("asa_seconds", "ASA (s, answered)"),
    ("abandon_rate", "Abandonment"),
    ("escalations", "Escalations (all)"),
    ("expert_hours", "Expert-hours online"),
    ("utilisation", "Utilisation"),
    ("earnings_total", "Earnings"),
    ("earnings_per_active_hour", "Earnings per active hour"),
    ("earnings_gini", "Gini of earnings per hour"),
    ("skill_level", "Skill level of the taker"),
    ("skill_margin", "Skill above required"),
    ("csat_proxy", "CSAT proxy (1-5)"),
    ("tickets_per_second", "Simulated tickets / s"),
)


def demo_scenario() -> Scenario:
    """The demo catalog's first program, with its languages and categories mixed as specified."""
    spec = BRANDS[0].programs[0]
    request = spec.create()
    mix = mix_for(
        request,
        {code: float(share) for code, share in spec.languages.items()},
        {c.key: float(c.weight) for c in spec.categories},
    )
    return Scenario(request, mix, BRANDS[0].currency)


def _cell(value: Any, key: str) -> str:
    if value is None:
        return "-"
    if key in ("service_level", "abandon_rate", "utilisation"):
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def comparison_table(results: list[DayMetrics], title: str = "Routing policies, same day") -> Table:
    """One column per policy, one row per measure."""
    table = Table(title=title)
    table.add_column("")
    for result in results:
        table.add_column(result.policy, justify="right")
    for key, label in ROWS:
        table.add_row(label, *(_cell(getattr(r, key), key) for r in results))
    return table


def _recorded_day(text: str) -> date:
    kind, _, day = text.partition(":")
    if kind != "recorded":
        raise InvalidInput("--day takes recorded:YYYY-MM-DD")
    try:
        return date.fromisoformat(day)
    except ValueError:
        raise InvalidInput(f"{day!r} is not a date (YYYY-MM-DD)") from None


def simulate(
    program: Annotated[
        str | None, typer.Option(help="A program's slug: simulate with its settings and mix.")
    ] = None,
    tickets: Annotated[int, typer.Option(min=1, max=100_000, help="Arrivals in the day.")] = 500,
    experts: Annotated[int, typer.Option(min=1, max=5_000, help="Simulated experts.")] = 40,
    policies: Annotated[
        str, typer.Option(help="Comma-separated routing policies to compare.")
    ] = "score,longest_idle,round_robin,random,specialists_first",
    seed: Annotated[int, typer.Option(help="Draws of arrivals and people.")] = 1,
    day: Annotated[
        str | None, typer.Option(help="recorded:YYYY-MM-DD replays that day's arrival times.")
    ] = None,
    patience: Annotated[
        float, typer.Option(min=0.1, help="Customers' mean patience, minutes.")
    ] = 10.0,
    database_url: Annotated[
        str | None,
        typer.Option(help="An empty scratch database to simulate on (default: a temp SQLite)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Replay a day in virtual time through the real code and compare routing policies."""
    out = console()
    with domain_errors():
        chosen = planning_service.parse_policies(policies)
        scenario, times, start = demo_scenario(), None, compare.DEFAULT_DAY
        if program is not None or day is not None:
            scenario, times, start = _from_database(program, day, scenario)
    settings = compare.Settings(
        tickets=len(times) if times else tickets,
        experts=experts,
        seed=seed,
        policies=chosen,
        day=start,
        times=times,
        patience_minutes=patience,
    )
    report = _run(settings, scenario, database_url, out, quiet=as_json)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    out.print(comparison_table(report.results))
    if report.first_failure:
        out.print(
            f"[yellow]a job failed in the simulation:[/] {report.first_failure.splitlines()[0]}"
        )


def _from_database(
    program: str | None, day: str | None, scenario: Scenario
) -> tuple[Scenario, list[float] | None, datetime]:
    """The named program's scenario and a recorded day's arrivals, from the database."""
    times, start, program_id = None, compare.DEFAULT_DAY, None
    with unit_of_work() as session:
        if program is not None:
            found = session.scalars(select(Program).where(Program.slug == program)).all()
            if len(found) != 1:
                raise fail(f"{len(found)} programs have the slug {program!r}; name one")
            scenario = planning_service.scenario_for(session, found[0])
            program_id = found[0].id
        if day is not None:
            recorded = _recorded_day(day)
            times = planning_service.recorded_arrivals(session, recorded, program_id=program_id)
            if not times:
                raise fail(f"no tickets arrived on {recorded.isoformat()}")
            start = datetime(recorded.year, recorded.month, recorded.day, tzinfo=UTC)
    return scenario, times, start


def _run(
    settings: compare.Settings,
    scenario: Scenario,
    database_url: str | None,
    out: Console,
    *,
    quiet: bool,
) -> compare.Report:
    columns = (
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=out, disable=quiet, transient=False) as progress:
        bars: dict[str, Any] = {}

        def report(phase: str, done: int, total: int) -> None:
            if phase not in bars:
                label = "experts" if phase == "setup" else phase
                bars[phase] = progress.add_task(label, total=total)
            progress.update(bars[phase], completed=done)

        with compare.scratch_engine(database_url) as engine:
            return compare.simulate(engine, scenario, settings, progress=report)
