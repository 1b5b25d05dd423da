"""gigcx plan forecast: hourly arrivals from a CSV, or every program's from its tickets."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from gigcx.brands.models import Program
from gigcx.cli.output import console, domain_errors, fail, require_schema
from gigcx.db.session import unit_of_work
from gigcx.planning import forecast as model
from gigcx.planning import service as planning_service
from gigcx.planning.series import HourlySeries, SeriesUnreadable, read_counts_csv

MAX_HORIZON = 8 * 7 * 24


@contextmanager
def _bar(description: str, *, is_shown: bool) -> Iterator[model.Progress | None]:
    """A progress bar on standard error (none for JSON); yield the callback that advances it."""
    if not is_shown:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    out = Console(stderr=True, highlight=False)
    with Progress(*columns, TimeElapsedColumn(), console=out, transient=True) as progress:
        task = progress.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield report


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def forecast_json(
    series: HourlySeries, predicted: model.HourlyForecast, checked: model.Backtest | None
) -> dict[str, Any]:
    """The forecast and its backtest as plain JSON values."""
    return {
        "history": {
            "start": series.start.isoformat(),
            "hours": series.hours,
            "arrivals": series.total,
        },
        "method": predicted.method.value,
        "level": predicted.level,
        "forecast": [
            {
                "starts_at": hour.isoformat(),
                "mean": _rounded(mean),
                "lower": _rounded(lower),
                "upper": _rounded(upper),
            }
            for hour, mean, lower, upper in predicted.rows()
        ],
        "backtest": None
        if checked is None
        else {
            "horizon": checked.horizon,
            "origins": checked.origins,
            "model": {"mae": _rounded(checked.model.mae), "mase": _rounded(checked.model.mase)},
            "seasonal_naive": {
                "mae": _rounded(checked.naive.mae),
                "mase": _rounded(checked.naive.mase),
            },
            "coverage": _rounded(checked.coverage),
        },
    }


def _print_forecast(
    out: Console,
    series: HourlySeries,
    predicted: model.HourlyForecast,
    checked: model.Backtest | None,
) -> None:
    percent = round(predicted.level * 100)
    out.print(f"method: {predicted.method.label} ({predicted.method.value})")
    table = Table(title="Forecast", title_justify="left")
    table.add_column("hour (UTC)")
    table.add_column("expected", justify="right")
    table.add_column(f"{percent}% band", justify="right")
    for hour, mean, lower, upper in predicted.rows():
        band = f"{lower:.2f} to {upper:.2f}"
        table.add_row(hour.strftime("%a %Y-%m-%d %H:00"), _number(mean), band)
    console().print(table)
    out.print(
        f"history: {series.hours} hours from {series.start.isoformat()}, {series.total} arrivals"
    )
    if checked is None:
        out.print("backtest: the history is too short (it needs more than eight days)")
        return
    scores = Table(
        title=f"Backtest: {checked.horizon} hours ahead from {checked.origins} origins",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    scores.add_column("method")
    scores.add_column("MAE", justify="right")
    scores.add_column("MASE", justify="right")
    scores.add_row("model", _number(checked.model.mae, 3), _number(checked.model.mase, 3))
    scores.add_row(
        "seasonal naive (168)", _number(checked.naive.mae, 3), _number(checked.naive.mase, 3)
    )
    out.print(scores)
    out.print(f"the {percent}% band held {checked.coverage:.0%} of the backtest's hours")


def _forecast_file(data: Path, horizon: int, as_json: bool) -> None:
    try:
        text = data.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"cannot read {data}: {error}") from None
    try:
        series = read_counts_csv(text)
    except SeriesUnreadable as error:
        raise fail(f"{data}: {error.detail}") from None
    predicted = model.forecast(series.values, series.start, horizon=horizon)
    with _bar("backtesting", is_shown=not as_json) as report:
        checked = planning_service.backtest_series(series.values, progress=report)
    if as_json:
        typer.echo(json.dumps(forecast_json(series, predicted, checked), indent=2))
    else:
        _print_forecast(console(), series, predicted, checked)


def _refresh_programs(as_json: bool) -> None:
    require_schema()
    bar = _bar("forecasting programs", is_shown=not as_json)
    with domain_errors(), unit_of_work() as session, bar as report:
        done = planning_service.refresh_all(session, progress=report)
        slugs = {key: slug for key, slug in session.execute(select(Program.id, Program.slug))}
    if as_json:
        lines = [
            {
                "program": slugs[refresh.program_id],
                "series": refresh.series,
                "hours": refresh.hours,
                "method": refresh.method,
                "until": refresh.until.isoformat(),
                "is_skipped": refresh.is_skipped,
            }
            for refresh in done
        ]
        typer.echo(json.dumps(lines, indent=2))
        return
    table = Table(title="Forecasts stored", title_justify="left")
    for column in ("program", "series", "hours", "method", "up to"):
        table.add_column(column)
    for refresh in done:
        method = refresh.method or "no tickets in ten weeks"
        table.add_row(
            slugs[refresh.program_id],
            str(refresh.series),
            str(refresh.hours),
            "kept (already made up to this hour)" if refresh.is_skipped else method,
            refresh.until.isoformat(),
        )
    console().print(table)


def forecast(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="A CSV of timestamp,count rows (hourly or finer)."),
    ] = None,
    horizon: Annotated[
        int, typer.Option(min=1, max=MAX_HORIZON, help="Hours to forecast.")
    ] = model.DEFAULT_HORIZON,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="Instead: forecast every program's next 14 days from its tickets and store "
            "them (what the nightly job does).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Forecast hourly arrivals from a CSV with a backtest against seasonal naive, or refresh
    every program's stored forecast."""
    if refresh == (data is not None):
        raise fail("give either --data FILE.csv or --refresh")
    if data is not None:
        _forecast_file(data, horizon, as_json)
    else:
        _refresh_programs(as_json)
