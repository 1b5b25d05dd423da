"""What bench/load.py reads around each step: CPU of each part, database counters, offers."""

import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from _procs import process_cpu, process_tree_cpu
from gigcx.tickets.models import Offer

_TICKS = os.sysconf("SC_CLK_TCK")
_COUNTERS = text(
    "SELECT xact_commit + xact_rollback AS transactions, tup_returned + tup_fetched AS rows_read,"
    " tup_inserted + tup_updated + tup_deleted AS rows_written"
    " FROM pg_stat_database WHERE datname = current_database()"
)
_SCANS = text(
    "SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)"
    " FROM pg_stat_user_tables"
)
_TABLES = text(
    "SELECT relname, coalesce(seq_scan, 0), coalesce(seq_tup_read, 0), coalesce(idx_scan, 0),"
    " coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables"
)
_STATEMENTS = text(
    "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
    " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
)
_BACKENDS = text(
    "SELECT pid FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def has_statement_counts(engine: Engine) -> bool:
    """Whether pg_stat_statements counts statements here (it must be preloaded by the server)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
            connection.execute(_STATEMENTS)
            connection.commit()
    except DBAPIError:
        return False
    return True


def machine_busy() -> float:
    """CPU seconds all cores of the machine have been busy since boot (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / _TICKS


@dataclass
class Sample:
    at: float
    tables: dict[str, tuple[int, int, int, int]]
    client: float
    server: float
    runners: float
    backends: dict[int, float]
    machine: float
    counters: dict[str, float] = field(default_factory=dict)


def sample(engine: Engine, *, server_pid: int, runner_pids: list[int], statements: bool) -> Sample:
    """CPU used so far by each part, and the database's counters."""
    with engine.connect() as connection:
        row = connection.execute(_COUNTERS).mappings().one()
        counters = {key: float(value) for key, value in row.items()}
        counters["scans"] = float(connection.execute(_SCANS).scalar_one())
        if statements:
            counters["statements"] = float(connection.execute(_STATEMENTS).scalar_one())
        pids = list(connection.execute(_BACKENDS).scalars())
        tables = {
            str(name): (int(a), int(b), int(c), int(d))
            for name, a, b, c, d in connection.execute(_TABLES)
        }
        connection.rollback()
    return Sample(
        at=time.monotonic(),
        tables=tables,
        client=time.process_time(),
        server=process_tree_cpu(server_pid),
        runners=sum(process_tree_cpu(pid) for pid in runner_pids),
        backends={pid: process_cpu(pid) for pid in pids},
        machine=machine_busy(),
        counters=counters,
    )


@dataclass(frozen=True)
class Usage:
    seconds: float
    client: float
    server: float
    runners: float
    database: float
    machine: float
    counters: dict[str, float]


def usage(before: Sample, after: Sample) -> Usage:
    """What was used between two samples. Database CPU counts the backends serving this
    database (a backend that started in between counts from its start)."""
    database = sum(cpu - before.backends.get(pid, 0.0) for pid, cpu in after.backends.items())
    return Usage(
        seconds=after.at - before.at,
        client=after.client - before.client,
        server=after.server - before.server,
        runners=after.runners - before.runners,
        database=database,
        machine=after.machine - before.machine,
        counters={
            key: after.counters[key] - before.counters.get(key, 0.0) for key in after.counters
        },
    )


def offers_made(engine: Engine, since: float, until: float) -> list[tuple[uuid.UUID, float]]:
    """Offers made between two epoch times, with when (epoch seconds)."""
    start, end = (datetime.fromtimestamp(t, UTC) for t in (since, until))
    statement = select(Offer.id, Offer.created_at).where(
        Offer.created_at >= start, Offer.created_at < end
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    return [(offer_id, created.timestamp()) for offer_id, created in rows]


def busiest_tables(
    before: Sample, after: Sample, *, top: int = 8
) -> list[tuple[str, int, int, int, int]]:
    """Tables by rows read between two samples: (name, sequential scans, rows they read,
    index scans, rows those fetched)."""
    rows = []
    for name, now in after.tables.items():
        then = before.tables.get(name, (0, 0, 0, 0))
        seq_scans, seq_rows, idx_scans, idx_rows = (a - b for a, b in zip(now, then, strict=True))
        rows.append((name, seq_scans, seq_rows, idx_scans, idx_rows))
    rows.sort(key=lambda row: row[2] + row[4], reverse=True)
    return rows[:top]
