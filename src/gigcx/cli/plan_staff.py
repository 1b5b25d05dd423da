"""gigcx plan staff: the fewest agents that meet a service level (Erlang C, or A with patience)."""

import json
import math
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from gigcx.cli.output import console, fail
from gigcx.planning import erlang

# Agent counts shown around the answer, so a planner sees what one more or one fewer does.
NEIGHBOURS = 2


def _row(result: erlang.Staffing) -> list[str]:
    asa = "∞" if math.isinf(result.asa_seconds) else f"{result.asa_seconds:.2f}"
    row = [
        str(result.agents),
        str(result.scheduled),
        f"{result.service_level:.4f}",
        f"{result.waiting_probability:.4f}",
        asa,
        f"{result.occupancy:.4f}",
    ]
    if result.abandonment is not None:
        row.append(f"{result.abandonment:.4f}")
    return row


def staff(
    calls: Annotated[float, typer.Option(help="Contacts arriving in the interval.")],
    interval_seconds: Annotated[float, typer.Option(help="Length of the interval, seconds.")],
    aht_seconds: Annotated[float, typer.Option(help="Average handle time, seconds.")],
    target: Annotated[float, typer.Option(help="Service level to meet, e.g. 0.8.")] = 0.8,
    answer_within: Annotated[
        float, typer.Option(help="Seconds within which the target share is answered.")
    ] = 20.0,
    patience_seconds: Annotated[
        float | None,
        typer.Option(help="Customers' mean patience; adds abandonment (Erlang A)."),
    ] = None,
    shrinkage: Annotated[
        float, typer.Option(help="Share of paid time not answering (breaks, training).")
    ] = 0.0,
    max_occupancy: Annotated[
        float | None, typer.Option(help="Highest share of time agents may be busy, e.g. 0.85.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print the fewest agents that meet the target, with Erlang C (or A with patience)."""
    try:
        result = erlang.staff(
            calls=calls,
            interval_seconds=interval_seconds,
            aht_seconds=aht_seconds,
            target=target,
            answer_within=answer_within,
            patience_seconds=patience_seconds,
            shrinkage=shrinkage,
            max_occupancy=max_occupancy,
        )
    except ValueError as error:
        raise fail(str(error)) from None
    model = "Erlang A" if patience_seconds is not None else "Erlang C"
    if as_json:
        payload = {"model": model, **result.as_dict()}
        typer.echo(json.dumps(payload, allow_nan=False, default=str))
        return
    out = console()
    out.print(
        f"{model}: {calls:g} contacts in {interval_seconds:g} s, handle time {aht_seconds:g} s, "
        f"load {result.load:.2f} Erlangs; target {target:.0%} within {answer_within:g} s"
    )
    table = Table(box=box.SIMPLE_HEAD)
    headers = ["agents", "scheduled", "service level", "P(wait)", "ASA s", "occupancy"]
    if patience_seconds is not None:
        headers.append("abandon")
    for header in headers:
        table.add_column(header, justify="right")
    lowest = max(result.agents - NEIGHBOURS, 1)
    for agents in range(lowest, result.agents + NEIGHBOURS + 1):
        other = erlang.measure(
            agents,
            load=result.load,
            aht_seconds=aht_seconds,
            answer_within=answer_within,
            patience_seconds=patience_seconds,
            shrinkage=shrinkage,
        )
        style = "bold green" if agents == result.agents else None
        table.add_row(*_row(other), style=style)
    out.print(table)
    out.print(
        f"[bold]{result.agents} agents[/] answering, "
        f"[bold]{result.scheduled} to schedule[/] with {shrinkage:.0%} shrinkage"
    )
