"""Job runner throughput on PostgreSQL, with and without a backlog of finished jobs.

A scratch database is migrated; one job runner (this process, the real ``gigcx.jobs.runner``)
runs batches of no-op jobs, claim by claim, and each claim and each whole job (claim, run in its
own transaction, outcome committed) is timed. The batches run: on an empty table; after
``--finished`` jobs were run to completion (as a runner leaves them: queued rows updated to done,
no vacuum asked for); and after ``gigcx.jobs.service.purge_finished`` deleted them and the table
was vacuumed, as the daily purge and autovacuum do.

    .venv/bin/python bench/jobs.py
    .venv/bin/python bench/jobs.py --finished 1000000 --jobs 2000
"""

import argparse
import sys
import time
from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from _support import (
    DEFAULT_POSTGRES_URL,
    ms,
    postgres_reachable,
    safe_url,
    scratch_postgres_database,
    summarize,
)
from gigcx import tasks
from gigcx.db import migrate
from gigcx.db.session import make_engine, unit_of_work
from gigcx.jobs import runner
from gigcx.jobs import service as jobs_service
from gigcx.jobs.models import Job
from gigcx.jobs.registry import handler

assert tasks  # every real handler is registered: claims filter by all their names


@handler("bench.noop")
def noop(session: Session, payload: dict[str, Any]) -> None:
    """Do nothing: what is timed is the runner's own work."""


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--bench-database", default="gigcx_bench_jobs")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--finished", type=int, default=500_000, help="finished jobs to pile up")
    parser.add_argument("--jobs", type=int, default=1_000, help="jobs run per batch")
    return parser.parse_args(argv)


def pile_up_finished(engine: Engine, count: int) -> None:
    """Leave ``count`` finished jobs as runners do: inserted queued, then updated to done."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO jobs (id, name, payload, run_at, status, attempts, max_attempts,"
                " created_at) SELECT gen_random_uuid(), 'bench.noop', '{}'::jsonb,"
                " now() - interval '30 days', 'queued', 0, 5, now() - interval '30 days'"
                " FROM generate_series(1, :count)"
            ),
            {"count": count},
        )
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE jobs SET status = 'done', attempts = 1,"
                " finished_at = now() - interval '20 days' WHERE status = 'queued'"
            )
        )


def run_batch(factory: sessionmaker[Session], jobs: int) -> tuple[list[float], list[float], float]:
    """Queue ``jobs`` no-op jobs and run them all; time every claim and every job."""
    with unit_of_work(factory) as session:
        for _ in range(jobs):
            jobs_service.enqueue(session, "bench.noop", {})
    claims, totals = [], []
    name = runner.runner_name()
    started = time.perf_counter()
    while True:
        begin = time.perf_counter()
        found = runner.claim_next(factory, name)
        claimed = time.perf_counter()
        if found is None:
            break
        runner.run_claimed(factory, found)
        claims.append(claimed - begin)
        totals.append(time.perf_counter() - begin)
    return claims, totals, time.perf_counter() - started


def table_size(engine: Engine) -> tuple[int, str]:
    with engine.connect() as connection:
        rows = connection.scalar(select(func.count()).select_from(Job)) or 0
        size = connection.scalar(text("SELECT pg_size_pretty(pg_total_relation_size('jobs'))"))
    return rows, str(size)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    console = Console(width=120) if not sys.stdout.isatty() else Console()
    problem = postgres_reachable(args.database_url)
    if problem is not None:
        console.print(f"PostgreSQL skipped: cannot reach {safe_url(args.database_url)}: {problem}")
        return 0
    results = []
    with scratch_postgres_database(
        args.database_url, args.bench_database, keep=args.keep_database
    ) as url:
        migrate.upgrade(url)
        engine = make_engine(url, pool_size=2)
        factory = sessionmaker(bind=engine, expire_on_commit=False)

        def batch(label: str) -> None:
            rows, size = table_size(engine)
            console.print(f"{label}: running {args.jobs:,} jobs ({rows:,} rows, {size}) ...")
            claims, totals, seconds = run_batch(factory, args.jobs)
            results.append((label, rows, size, claims, totals, seconds))

        batch("empty table")
        console.print(f"piling up {args.finished:,} finished jobs ...")
        pile_up_finished(engine, args.finished)
        batch("finished jobs kept")
        with unit_of_work(factory) as session:
            purged = jobs_service.purge_finished(session, older_than=timedelta(days=7))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE jobs"))
        console.print(f"purged {purged:,} finished jobs and vacuumed")
        batch("after the purge")
        engine.dispose()

    table = Table(title=f"One job runner, no-op jobs, PostgreSQL ({args.jobs:,} per batch)")
    for column in ("table", "rows before", "size", "jobs/s", "claim p50 ms", "claim p99 ms"):
        table.add_column(column, justify="left" if column == "table" else "right")
    table.add_column("job p50 ms", justify="right")
    for label, rows, size, claims, totals, seconds in results:
        claim, total = summarize(claims), summarize(totals)
        table.add_row(
            label,
            f"{rows:,}",
            size,
            f"{len(totals) / seconds:,.0f}",
            ms(claim.p50),
            ms(claim.p99),
            ms(total.p50),
        )
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
