"""Simulated tickets per second for a day through the real code, and the policy comparison.

A day of --tickets arrivals (the built-in bimodal profile) and --experts simulated experts on the
demo catalog's first program, played once per routing policy on a scratch database: SQLite (a
temp file) and PostgreSQL (a scratch database created and dropped). Prints, per database, the
setup time (migrations are not counted; experts are signed up through the services, each with
a password hash), simulated tickets per second per policy, where the time went by job, and the
comparison table.

    .venv/bin/python bench/simulate.py
    .venv/bin/python bench/simulate.py --tickets 500 --experts 40 --databases sqlite
    .venv/bin/python bench/simulate.py --policies score,longest_idle --databases postgresql
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from _support import DEFAULT_POSTGRES_URL, postgres_reachable, safe_url, scratch_postgres_database
from gigcx import tasks
from gigcx.cli.plan_simulate import comparison_table, demo_scenario
from gigcx.planning import service as planning_service
from gigcx.planning.simulation import compare

assert tasks  # the simulated day runs every job handler


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--experts", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--policies", default="score,longest_idle,round_robin,random,specialists_first"
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--database-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--bench-database", default="gigcx_bench_simulate")
    return parser.parse_args(argv)


def run(name: str, url: str | None, args: argparse.Namespace, console: Console) -> compare.Report:
    settings = compare.Settings(
        tickets=args.tickets,
        experts=args.experts,
        seed=args.seed,
        policies=planning_service.parse_policies(args.policies),
    )
    columns = (
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    began = time.perf_counter()
    with compare.scratch_engine(url) as engine:
        migrated = time.perf_counter() - began
        with Progress(*columns, console=console, transient=True) as progress:
            bars: dict[str, object] = {}

            def report(phase: str, done: int, total: int) -> None:
                if phase not in bars:
                    bars[phase] = progress.add_task(f"{name} {phase}", total=total)
                progress.update(bars[phase], completed=done)  # type: ignore[arg-type]

            result = compare.simulate(engine, demo_scenario(), settings, progress=report)
    console.print(
        f"{name}: migrations {migrated:.1f} s, setup of {args.experts} experts "
        f"{result.setup_seconds:.1f} s"
    )
    return result


def speed_table(reports: list[compare.Report], args: argparse.Namespace) -> Table:
    table = Table(title=f"Simulated day: {args.tickets} tickets, {args.experts} experts")
    for column in ("database", "policy", "wall s", "tickets/s", "jobs", "failed", "top job s"):
        table.add_column(
            column, justify="right" if column not in ("database", "policy") else "left"
        )
    for report in reports:
        for result in report.results:
            top = ", ".join(f"{k} {v:.1f}" for k, v in list(result.job_seconds.items())[:3])
            table.add_row(
                report.database,
                result.policy,
                f"{result.wall_seconds:.1f}",
                f"{result.tickets_per_second:.1f}",
                str(result.jobs_done),
                str(result.jobs_failed),
                top,
            )
    return table


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    console = Console(width=140) if not sys.stdout.isatty() else Console()
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    reports: list[compare.Report] = []
    skipped: list[str] = []
    if "sqlite" in databases:
        with tempfile.TemporaryDirectory(prefix="gigcx-bench-") as directory:
            url = f"sqlite:///{Path(directory) / 'simulate.db'}"
            reports.append(run("sqlite", url, args, console))
    if "postgresql" in databases:
        problem = postgres_reachable(args.database_url)
        if problem is None:
            with scratch_postgres_database(args.database_url, args.bench_database) as url:
                reports.append(run("postgresql", url, args, console))
        else:
            skipped.append(
                f"PostgreSQL skipped: cannot reach {safe_url(args.database_url)}: {problem}"
            )
    console.print(speed_table(reports, args))
    for report in reports:
        console.print(comparison_table(report.results, f"Routing policies on {report.database}"))
        if report.first_failure:
            console.print(f"a job failed: {report.first_failure.splitlines()[0]}", markup=False)
    for line in skipped:
        console.print(line, markup=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
