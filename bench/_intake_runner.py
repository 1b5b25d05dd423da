"""Job runners for bench/intake.py: start them, read their statement counts, time the offers.

An inquiry taken in with ``Prefer: respond-async`` is made a ticket and routed by a job runner
(``intake.take_in``). The bench runs those runners as production does, ``gigcx jobs run``, here
limited to ``--only intake.take_in`` so the other jobs intake queues (triage, events, SLA
checks) wait as they do in the inline rounds, where no runner runs them either.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from _procs import stop_group

BENCH_DIR = Path(__file__).resolve().parent
ROUTE_JOB = "intake.take_in"


@dataclass
class Runner:
    process: subprocess.Popen[bytes]
    count_file: Path


@contextlib.contextmanager
def running_runners(
    env: dict[str, str], count: int, directory: Path, *, poll_seconds: float, nice: int = 0
) -> Iterator[list[Runner]]:
    """Start ``count`` runners of intake jobs in their own process groups, at ``nice``; always
    stop them."""
    runners: list[Runner] = []
    try:
        for number in range(count):
            count_file = directory / f"runner-{number}.json"
            # Left by an earlier round's runner: the new one is up once it writes its own.
            count_file.unlink(missing_ok=True)
            log = directory / f"runner-{number}.log"
            command = [
                *(["nice", "-n", str(nice)] if nice else []),
                sys.executable,
                str(BENCH_DIR / "_runner.py"),
                "--count-file",
                str(count_file),
                "--",
                "jobs",
                "run",
                "--only",
                ROUTE_JOB,
                "--poll",
                str(poll_seconds),
            ]
            with log.open("wb") as log_file:
                process = subprocess.Popen(
                    command,
                    env=env,
                    cwd=directory,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            runners.append(Runner(process, count_file))
        deadline = time.monotonic() + 60
        while not all(r.count_file.exists() for r in runners):
            if any(r.process.poll() is not None for r in runners) or time.monotonic() > deadline:
                logs = "\n".join(p.read_text()[-2000:] for p in directory.glob("runner-*.log"))
                raise RuntimeError(f"a job runner did not start:\n{logs}")
            time.sleep(0.1)
        yield runners
    finally:
        for runner in runners:
            stop_group(runner.process, grace=30.0)


def statements_sent(runners: list[Runner]) -> int:
    """SQL statements the runners sent so far (each writes its count on SIGUSR1)."""
    total = 0
    for runner in runners:
        before = runner.count_file.stat().st_mtime_ns
        os.kill(runner.process.pid, signal.SIGUSR1)
        deadline = time.monotonic() + 5
        while runner.count_file.stat().st_mtime_ns == before and time.monotonic() < deadline:
            time.sleep(0.02)
        total += int(json.loads(runner.count_file.read_text())["statements"])
    return total


def wait_for_routing(engine: Engine, *, timeout: float) -> float:
    """Wait until no routing job is queued or running; return how long that took."""
    started = time.perf_counter()
    statement = text(
        "SELECT count(*) FROM jobs WHERE name = :name AND status IN ('queued', 'running')"
    )
    while time.perf_counter() - started < timeout:
        try:
            with engine.connect() as connection:
                if not connection.scalar(statement, {"name": ROUTE_JOB}):
                    break
        except OperationalError:
            pass  # a busy shared server ("too many clients"): look again
        time.sleep(0.1)
    return time.perf_counter() - started


@dataclass
class Offers:
    # seconds from a ticket's intake to its first offer, for the tickets offered
    waits: list[float]
    # tickets taken in during the window: how many, and in which status they are now
    statuses: dict[str, int]
    # routing jobs that finished in the window (done)
    routed_in_window: int


def offers_of(engine: Engine, started: datetime, ended: datetime) -> Offers:
    """Intake-to-offer times of the tickets taken in between ``started`` and ``ended``."""
    window = {"started": started, "ended": ended}
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                # Intake is the inquiry's arrival when a runner made the ticket later.
                "SELECT t.status, EXTRACT(EPOCH FROM min(o.created_at) - "
                "COALESCE(i.created_at, t.created_at)) "
                "FROM tickets t LEFT JOIN inquiries i ON i.id = t.id "
                "LEFT JOIN offers o ON o.ticket_id = t.id "
                "WHERE COALESCE(i.created_at, t.created_at) >= :started "
                "AND COALESCE(i.created_at, t.created_at) < :ended "
                "GROUP BY t.id, t.status, t.created_at, i.created_at"
            ),
            window,
        ).all()
        routed = connection.scalar(
            text(
                "SELECT count(*) FROM jobs WHERE name = :name AND status = 'done' "
                "AND finished_at >= :started AND finished_at < :ended"
            ),
            {**window, "name": ROUTE_JOB},
        )
    statuses: dict[str, int] = {}
    for status, _ in rows:
        statuses[status] = statuses.get(status, 0) + 1
    waits = [float(wait) for _, wait in rows if wait is not None]
    return Offers(waits=waits, statuses=statuses, routed_in_window=int(routed or 0))
