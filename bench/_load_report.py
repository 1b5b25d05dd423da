"""What bench/load.py prints: the progress line, a line per step, the tables at the end."""

import argparse
import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from _load_stats import Usage, busiest_tables
from _support import percentile

if TYPE_CHECKING:
    from _load_sim import Simulation
    from load import Step

NOTABLE = ("Traceback", "ERROR", "Error", "died", "deadlock", "CRITICAL")


def p99(values: Sequence[float]) -> float:
    return percentile(sorted(values), 0.99)


def p50(values: Sequence[float]) -> float:
    return percentile(sorted(values), 0.50)


def millis(seconds: float) -> str:
    if seconds != seconds:  # nan: nothing measured
        return "-"
    return "never" if seconds == float("inf") else f"{seconds * 1000:.0f}"


def progress_line(sim: "Simulation", rate: float, phase: str) -> str:
    outcomes = sim.tally.outcomes
    taken = sum(n for key, n in outcomes.items() if key.startswith("ticket "))
    return (
        f"{rate:g} tickets/s, {phase}: taken {taken}, resolved {outcomes['resolved']}, "
        f"rated {outcomes['rated']}, in flight {sim.in_flight}, busy {sim.busy()}, "
        f"errors {sum(sim.tally.errors.values())}, feeds open {len(sim.connected)}"
    )


def screen_values(step: "Step") -> list[float]:
    return step.screen + [float("inf")] * step.unseen


def step_line(step: "Step", verdict: str) -> str:
    return (
        f"{step.rate:g} tickets/s: {verdict}; taken {step.taken / step.seconds:.2f}/s, "
        f"intake p99 {millis(p99(step.tally.intake))} ms, "
        f"offer to screen p99 {millis(p99(screen_values(step)))} ms, "
        f"errors {sum(step.tally.errors.values())}"
    )


def _per_ticket(value: float, step: "Step") -> str:
    return f"{value / step.tickets:.1f}" if step.tickets else "-"


def _cpu(value: float, step: "Step") -> str:
    return f"{value / step.tickets * 1000:.0f}" if step.tickets else "-"


def flow_table(steps: Sequence["Step"], args: argparse.Namespace) -> Table:
    table = Table(
        title=(
            f"The whole loop on PostgreSQL: {args.processes} API processes, {args.runners} job "
            f"runners, {args.experts} experts with feeds open, {args.duration:g} s per step"
        ),
        caption=(
            f"pass: intake p99 < {300} ms, offer to screen p99 < 1000 ms, <= 1% of tickets "
            "failed. Intake counts from when a ticket was due; 'never' = an offer made in the "
            "window that no feed showed."
        ),
    )
    columns = ["tickets/s offered", "sent/s", "taken/s", "resolved/s", "intake p50 ms"]
    columns += ["intake p99 ms", "offer->screen p50 ms", "p99 ms", "not shown", "errors", ""]
    for column in columns:
        table.add_column(column, justify="right")
    for step in steps:
        errors = sum(step.tally.errors.values())
        screen = screen_values(step)
        table.add_row(
            f"{step.rate:g}",
            f"{step.sent / step.seconds:.2f}",
            f"{step.taken / step.seconds:.2f}",
            f"{step.tally.outcomes['resolved'] / step.seconds:.2f}",
            millis(p50(step.tally.intake)),
            millis(p99(step.tally.intake)),
            millis(p50(screen)),
            millis(p99(screen)),
            str(step.unseen),
            str(errors),
            "pass" if step.passed() else "MISSED",
        )
    return table


def cost_table(steps: Sequence["Step"], statements: bool) -> Table:
    table = Table(
        title="What a ticket costs (whole step: warm-up, window, drain; per ticket sent)",
        caption=(
            "cpu ms = CPU time per ticket of the server processes, the job runners, the "
            "PostgreSQL backends of this database and this client. cores = the machine's busy "
            "cores over the step (all its work, others' too) and ours (those four). "
            + ("" if statements else "pg_stat_statements is not loaded: no statement counts; ")
            + "xacts, scans (sequential + index, a stand-in for statements) and rows from "
            "pg_stat_database / pg_stat_user_tables."
        ),
    )
    columns = ["tickets/s offered", "tickets"]
    columns += ["statements"] if statements else []
    columns += ["xacts", "scans", "rows read", "rows written"]
    columns += ["cpu ms server", "runners", "db", "client", "cores machine/ours"]
    for column in columns:
        table.add_column(column, justify="right")
    for step in steps:
        use = step.use
        counters = use.counters
        ours = use.server + use.runners + use.database + use.client
        cells = [f"{step.rate:g}", str(step.tickets)]
        if statements:
            cells.append(_per_ticket(counters.get("statements", 0.0), step))
        cells += [
            _per_ticket(counters[key], step)
            for key in ("transactions", "scans", "rows_read", "rows_written")
        ]
        cells += [
            _cpu(use.server, step),
            _cpu(use.runners, step),
            _cpu(use.database, step),
            _cpu(use.client, step),
            f"{use.machine / use.seconds:.2f}/{ours / use.seconds:.2f}",
        ]
        table.add_row(*cells)
    return table


def calls_table(steps: Sequence["Step"]) -> Table:
    table = Table(title="API calls in each window: p50 / p99 ms (count)")
    kinds = ("intake", "accept", "reply", "resolve", "rate")
    table.add_column("tickets/s offered", justify="right")
    for kind in kinds:
        table.add_column(kind, justify="right")
    for step in steps:
        cells = []
        for kind in kinds:
            values = step.tally.calls.get(kind, [])
            cells.append(f"{millis(p50(values))} / {millis(p99(values))} ({len(values)})")
        table.add_row(f"{step.rate:g}", *cells)
    return table


def tables_table(first: "Step", last: "Step") -> Table:
    table = Table(title="Tables read the most over all steps (pg_stat_user_tables)")
    for column in ("table", "seq scans", "rows seq read", "index scans", "rows index fetched"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for name, *counts in busiest_tables(first.before, last.after):
        table.add_row(name, *(f"{n:,}" for n in counts))
    return table


def print_tables(
    console: Console,
    steps: Sequence["Step"],
    args: argparse.Namespace,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    statements = any("statements" in step.use.counters for step in steps)
    console.print(flow_table(steps, args))
    console.print(cost_table(steps, statements))
    console.print(calls_table(steps))
    if steps:
        console.print(tables_table(steps[0], steps[-1]))
    passed = [step.rate for step in steps if step.passed()]
    best = f"{max(passed):g} tickets/s" if passed else "none of the rates tried"
    console.print(f"highest rate that passed: {best}", markup=False)
    for step in steps:
        if step.tally.errors:
            problems = ", ".join(f"{k} x{n}" for k, n in sorted(step.tally.errors.items()))
            console.print(f"errors at {step.rate:g}/s: {problems}", markup=False)
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average before "
        f"{', '.join(f'{v:.1f}' for v in load_before)}, after "
        f"{', '.join(f'{v:.1f}' for v in load_after)}",
        markup=False,
    )


def idle_line(use: Usage, feeds: int) -> str:
    """What the setup used with the feeds open and no tickets, in cores and per second."""
    per = use.seconds
    return (
        f"idle with {feeds} feeds open, over {per:.0f} s: cores server {use.server / per:.2f}, "
        f"runners {use.runners / per:.2f}, db {use.database / per:.2f}, machine "
        f"{use.machine / per:.2f}; {use.counters['transactions'] / per:.1f} xacts/s, "
        f"{use.counters['scans'] / per:.1f} scans/s"
    )


def notable_log_lines(logs: Sequence[Path]) -> list[str]:
    lines = []
    for log in logs:
        for line in log.read_text(errors="replace").splitlines():
            if any(word in line for word in NOTABLE):
                lines.append(f"{log.stem}: {line}")
    return lines
