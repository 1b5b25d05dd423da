"""HTTP intake throughput against PostgreSQL: tickets taken in per second, and time to offer.

Starts the real application (plus the bench-only POST /bench/insert, see _intake_app.py) in 2
uvicorn worker processes (bench/_serve.py: uvicorn's multi-process supervisor on a socket that
keeps TCP_NODELAY; ``--server uvicorn-cli`` runs plain ``uvicorn --workers 2`` instead) on a
fresh, migrated PostgreSQL database seeded with a brand, an API key, a program and available
experts with room for every ticket; then, from this process, keeps a fixed number of requests
in flight (asyncio with a minimal HTTP/1.1 keep-alive client, loopback only) for a fixed time
per round:

  tickets   POST /api/v1/tickets with the brand's API key and an Idempotency-Key, routed in
            the request; a request counts when the answer is 201 and the ticket's status is
            "offered"
  async     the same with "Prefer: respond-async": the request takes the ticket in and a job
            runner routes it (``gigcx jobs run --only routing.route``, --runners processes, as
            production runs them); a request counts when the answer is 202 with status "new"
  insert    POST /bench/insert: the same stack writing one row, the floor to compare with

Rounds alternate (insert, tickets, async, insert, ...) so drift hits all alike; the summary
takes the median round. After each round the bench waits for the runners to route what was
taken in, then reads from the database how long each ticket of the round waited from intake
to its first offer. The server counts the SQL statements of each request (GET
/bench/statements), the runners theirs. A last probe holds one request's commit for 0.5 s to
show whether the request session commits before or after the response goes out. The server
and the runners are stopped at the end, also on errors, Ctrl-C and SIGTERM, and the scratch
database is dropped.

    .venv/bin/python bench/intake.py
    .venv/bin/python bench/intake.py --duration 10 --rounds 3 --concurrency 16
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

import _fixture
import _intake_runner
from _http import Connection
from _intake_report import Round, render, summary_table
from _procs import free_port, postgres_cpu, process_tree_cpu, stop_group
from _support import (
    DEFAULT_POSTGRES_URL,
    postgres_reachable,
    safe_url,
    scratch_postgres_database,
)
from gigcx.auth import service as auth_service
from gigcx.db import migrate
from gigcx.db.session import make_engine

BENCH_DIR = Path(__file__).resolve().parent
APP = "_intake_app:create_bench_app"
TARGET_RATIO = 0.5


@dataclass(frozen=True)
class Seed:
    api_key: str
    program: _fixture.ProgramInfo


# Build one request: (path, json body, headers).
RequestMaker = Callable[[int], tuple[str, dict[str, Any], dict[str, str]]]
# Classify one response (status, body): "ok" or why not.
Judge = Callable[[int, bytes], str]


def seed(url: str, args: argparse.Namespace) -> Seed:
    """Migrate and seed: a brand, its API key, one program and its available experts."""
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    rng = random.Random(args.seed)
    with factory() as session, session.begin():
        (program,) = _fixture.create_programs(session, programs=1, brands=1)
        api_key, _ = auth_service.create_api_key(session, brand_id=program.brand_id, name="bench")
        # Pending offers hold capacity until they expire (no job runner here), so give every
        # expert room for far more tickets than a run creates.
        room = (args.capacity, args.capacity)
        _fixture.add_experts(
            session,
            [program],
            per_program=args.experts,
            rng=rng,
            chat_capacity=room,
            email_capacity=room,
        )
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    engine.dispose()
    return Seed(api_key=api_key, program=program)


def ticket_maker(seed_: Seed, rng: random.Random, *, is_async: bool = False) -> RequestMaker:
    program = seed_.program
    weights = _fixture.LANGUAGE_TICKET_WEIGHTS[: len(program.languages)]
    headers = {"Authorization": f"Bearer {seed_.api_key}"}
    if is_async:
        headers["Prefer"] = "respond-async"
    run = uuid.uuid4().hex[:8]
    numbers = itertools.count()

    def make(_index: int) -> tuple[str, dict[str, Any], dict[str, str]]:
        # Every ticket is new: its own customer and Idempotency-Key, across rounds too.
        index = next(numbers)
        body = {
            "program_id": str(program.id),
            "customer": {"email": f"customer-{run}-{index}@bench.example", "name": "Ana Lima"},
            "channel": "chat" if rng.random() < 0.7 else "email",
            "language": rng.choices(program.languages, weights=weights)[0],
            "category": rng.choice(_fixture.GIG_CATEGORIES),
            "subject": "Where is my order?",
            "body": "Hello, my order has not arrived yet. Can you help me, please?",
        }
        return "/api/v1/tickets", body, {**headers, "Idempotency-Key": f"{run}-{index}"}

    return make


def insert_maker() -> RequestMaker:
    def make(_index: int) -> tuple[str, dict[str, Any], dict[str, str]]:
        return "/bench/insert", {}, {}

    return make


def judge_ticket(status: int, payload: bytes) -> str:
    if status != 201:
        return f"HTTP {status}"
    ticket_status = str(json.loads(payload).get("status"))
    return "ok" if ticket_status == "offered" else f"ticket {ticket_status}"


def judge_async_ticket(status: int, payload: bytes) -> str:
    if status != 202:
        return f"HTTP {status}"
    ticket_status = str(json.loads(payload).get("status"))
    return "ok" if ticket_status == "received" else f"inquiry {ticket_status}"


def judge_insert(status: int, payload: bytes) -> str:
    return "ok" if status == 201 else f"HTTP {status}"


def server_env(url: str, args: argparse.Namespace) -> dict[str, str]:
    """The environment of the server and the job runners."""
    return {
        **os.environ,
        "GIGCX_DATABASE_URL": url,
        "GIGCX_RUN_JOBS_IN_PROCESS": "false",
        # A fixed signing secret, so the server writes no var/secret_key file anywhere.
        "GIGCX_SECRET_KEY": "bench-only-secret-not-for-production",
        "PYTHONPATH": os.pathsep.join(
            [str(BENCH_DIR), *(str(Path(p).resolve()) for p in args.app_path)]
            + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
        ),
    }


@contextlib.contextmanager
def running_server(url: str, args: argparse.Namespace, log: Path) -> Iterator[tuple[str, int]]:
    """Serve the bench app with uvicorn in its own process group; always stop it."""
    port = free_port()
    env = server_env(url, args)
    if args.pool_size:
        env["GIGCX_POOL_SIZE"] = str(args.pool_size)
    if args.server == "uvicorn-cli":
        command = [sys.executable, "-m", "uvicorn", "--factory", args.app, "--no-access-log"]
    else:
        command = [sys.executable, str(BENCH_DIR / "_serve.py"), "--app", args.app]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)]
    # info: uvicorn logs a worker it had to restart ("Child process [...] died") at that level.
    command += ["--log-level", "info"]
    with log.open("wb") as log_file:
        # In a scratch directory: no .env or var/ of the checkout is read or written.
        server = subprocess.Popen(
            command,
            env=env,
            cwd=log.parent,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base_url, server, log)
        yield base_url, server.pid
    finally:
        stop_group(server)


def wait_until_ready(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    answered = 0
    with httpx.Client(base_url=base_url, timeout=2) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{log.read_text()[-3000:]}")
            try:
                if client.get("/healthz").status_code == 200:
                    answered += 1
                    if answered >= 5:
                        return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within 60 s:\n{log.read_text()[-3000:]}")


async def balanced_connections(
    host: str, port: int, *, count: int, workers: int
) -> tuple[list[Connection], Counter[int]]:
    """Open ``count`` keep-alive connections spread evenly over the server's worker processes.

    Workers share one listening socket and asyncio accepts a burst of connections in one go, so
    connections opened together tend to land on one worker, which then does all the work while
    the other idles. Ask each new connection which process serves it (GET /bench/pid) and keep
    it only while that process has less than its share, as a least-connections balancer would.
    """
    share = -(-count // workers)
    kept: list[Connection] = []
    per_worker: Counter[int] = Counter()
    for _attempt in range(count * 20):
        if len(kept) == count:
            break
        connection = Connection(host, port)
        status, payload = await connection.request("GET", "/bench/pid")
        pid = int(json.loads(payload)["pid"]) if status == 200 else 0
        if status == 200 and per_worker[pid] < share:
            per_worker[pid] += 1
            connection.pid = pid
            kept.append(connection)
        else:
            connection.close()
        await asyncio.sleep(0.005)
    while len(kept) < count:  # give up balancing rather than run with fewer connections
        kept.append(Connection(host, port))
        per_worker[0] += 1
    return kept, per_worker


async def drive(
    base_url: str,
    make: RequestMaker,
    judge: Judge,
    *,
    concurrency: int,
    workers: int,
    warmup: float,
    duration: float,
    into: Round,
    cpu: Callable[[], tuple[float, float, float, float]],
) -> None:
    """Keep ``concurrency`` requests in flight; record those that finish inside the window.

    ``cpu`` returns CPU seconds used so far by the client, the server, the database and the job
    runners; they are read at the start and the end of the window.
    """
    address = httpx.URL(base_url)
    host, port = address.host, address.port or 80
    connections, into.per_worker = await balanced_connections(
        host, port, count=concurrency, workers=workers
    )
    counter = iter(range(10**9))
    before = await statement_counts(host, port, workers)
    window_start = time.perf_counter() + warmup
    window_end = window_start + duration

    async def worker(connection: Connection) -> None:
        while time.perf_counter() < window_end:
            path, body, headers = make(next(counter))
            sent = time.perf_counter()
            try:
                data = json.dumps(body).encode()
                status, payload = await connection.request("POST", path, data, headers)
                outcome = judge(status, payload)
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                outcome = type(error).__name__
            done = time.perf_counter()
            if window_start <= done <= window_end:
                into.outcomes[outcome] += 1
                if outcome == "ok":
                    into.latencies.append(done - sent)

    async def sample() -> None:
        await asyncio.sleep(max(window_start - time.perf_counter(), 0))
        into.started_at = datetime.now(UTC)
        cpu_before = cpu()
        await asyncio.sleep(max(window_end - time.perf_counter(), 0))
        cpu_after = cpu()
        into.ended_at = datetime.now(UTC)
        into.client_cpu, into.server_cpu, into.db_cpu, into.runner_cpu = (
            b - a for a, b in zip(cpu_before, cpu_after, strict=True)
        )

    try:
        await asyncio.gather(sample(), *(worker(connection) for connection in connections))
        after = await statement_counts(host, port, workers)
    finally:
        for connection in connections:
            connection.close()
    counted = "POST " + make(0)[0]
    requests = after.get(counted, (0, 0))[0] - before.get(counted, (0, 0))[0]
    sent = after.get(counted, (0, 0))[1] - before.get(counted, (0, 0))[1]
    into.statements = sent / requests if requests else float("nan")


async def statement_counts(host: str, port: int, workers: int) -> dict[str, tuple[int, int]]:
    """Requests and SQL statements per path, summed over the server processes.

    Each process counts its own requests: ask over new connections until every one answered.
    """
    totals: dict[str, tuple[int, int]] = {}
    asked: set[int] = set()
    for _attempt in range(workers * 50):
        if len(asked) == workers:
            break
        connection = Connection(host, port)
        try:
            status, payload = await connection.request("GET", "/bench/statements")
        except (OSError, asyncio.IncompleteReadError):
            continue
        finally:
            connection.close()
        answer = json.loads(payload) if status == 200 else {}
        if not answer or answer["pid"] in asked:
            continue
        asked.add(answer["pid"])
        for key, (requests, statements) in answer["paths"].items():
            old = totals.get(key, (0, 0))
            totals[key] = (old[0] + requests, old[1] + statements)
    return totals


@dataclass
class Stack:
    """What a round runs against: the server, the database, where job runners keep logs."""

    base_url: str
    server_pid: int
    engine: Engine
    runner_env: dict[str, str]
    directory: Path


def run_round(
    stack: Stack,
    endpoint: str,
    number: int,
    make: RequestMaker,
    judge: Judge,
    args: argparse.Namespace,
) -> Round:
    # Runners run only in the rounds that need them: idle ones would still poll.
    count = args.runners if endpoint == "async" else 0
    with _intake_runner.running_runners(
        stack.runner_env,
        count,
        stack.directory,
        poll_seconds=args.runner_poll,
        nice=args.runner_nice,
    ) as runners:
        return _measure(stack, runners, endpoint, number, make, judge, args)


def _measure(
    stack: Stack,
    runners: list[_intake_runner.Runner],
    endpoint: str,
    number: int,
    make: RequestMaker,
    judge: Judge,
    args: argparse.Namespace,
) -> Round:
    result = Round(endpoint, number, args.duration)

    def cpu() -> tuple[float, float, float, float]:
        runner_cpu = sum(process_tree_cpu(r.process.pid) for r in runners)
        return time.process_time(), process_tree_cpu(stack.server_pid), postgres_cpu(), runner_cpu

    runner_statements = _intake_runner.statements_sent(runners)
    asyncio.run(
        drive(
            stack.base_url,
            make,
            judge,
            concurrency=args.concurrency,
            workers=args.workers,
            warmup=args.warmup,
            duration=args.duration,
            into=result,
            cpu=cpu,
        )
    )
    if endpoint != "insert":
        # The runners route what the round took in; then each ticket's wait is known.
        result.drain_seconds = _intake_runner.wait_for_routing(
            stack.engine, timeout=args.drain_timeout
        )
        result.runner_statements = _intake_runner.statements_sent(runners) - runner_statements
        assert result.started_at is not None and result.ended_at is not None
        result.offers = _intake_runner.offers_of(stack.engine, result.started_at, result.ended_at)
    return result


def probe_commit_order(base_url: str) -> tuple[float, float]:
    """Time POST /bench/commit-order, whose commit is held; return (answer seconds, hold)."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            response = client.post("/bench/commit-order")
            response.raise_for_status()
            timings.append(time.perf_counter() - started)
            hold = float(response.json()["hold_seconds"])
            time.sleep(hold)
    return statistics.median(timings), hold


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="HTTP intake throughput against PostgreSQL.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_POSTGRES_URL,
        help="PostgreSQL server to use (or GIGCX_BENCH_POSTGRES_URL); the bench creates its "
        "own database there and drops it afterwards",
    )
    parser.add_argument("--bench-database", default="gigcx_bench_intake")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it afterwards")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument(
        "--server",
        choices=("nodelay", "uvicorn-cli"),
        default="nodelay",
        help="nodelay: bench/_serve.py, uvicorn's multi-process supervisor on a listening socket "
        "that keeps TCP_NODELAY; uvicorn-cli: plain `uvicorn --workers N` (as `gigcx serve "
        "--processes N` runs it), which loses TCP_NODELAY (Kludex/uvicorn#3149)",
    )
    parser.add_argument(
        "--pool-size", type=int, default=0, help="GIGCX_POOL_SIZE for the server (0: app default)"
    )
    parser.add_argument(
        "--app",
        default=APP,
        help="app factory to serve; it must also offer POST /bench/insert and GET /bench/pid "
        "(for what-if experiments: wrap _intake_app.create_bench_app)",
    )
    parser.add_argument(
        "--app-path", action="append", default=[], help="extra import path for --app"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds measured per round")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before each round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per endpoint")
    parser.add_argument("--experts", type=int, default=500, help="available experts")
    parser.add_argument("--capacity", type=int, default=40, help="tickets each expert may hold")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--endpoints",
        default="insert,tickets,async",
        help="rounds to run, in this order each time: insert (one row), tickets (routed in the "
        "request), async (Prefer: respond-async, routed by the job runners)",
    )
    parser.add_argument(
        "--runners", type=int, default=1, help="job runner processes routing async tickets"
    )
    parser.add_argument(
        "--runner-nice",
        type=int,
        default=0,
        help="niceness of the job runners (0: as the server; 10: intake answers first)",
    )
    parser.add_argument(
        "--runner-poll",
        type=float,
        default=0.05,
        help="seconds an idle job runner sleeps (they run in async rounds only)",
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=120.0,
        help="seconds to wait after a round for the runners to route what it took in",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    width = int(os.environ.get("COLUMNS", "130"))
    console = Console(width=width) if not sys.stdout.isatty() else Console()
    problem = postgres_reachable(args.database_url)
    if problem is not None:
        console.print(
            f"PostgreSQL skipped: cannot reach {safe_url(args.database_url)}: {problem}",
            markup=False,
        )
        return 0
    # A SIGTERM should unwind like Ctrl-C does, so the server is stopped and the database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rounds: list[Round] = []
    with (
        scratch_postgres_database(
            args.database_url, args.bench_database, keep=args.keep_database
        ) as url,
        tempfile.TemporaryDirectory(prefix="gigcx-bench-") as directory,
    ):
        console.print(f"seeding {args.experts} available experts on {args.bench_database} ...")
        seeded = seed(url, args)
        rng = random.Random(args.seed)
        every: dict[str, tuple[RequestMaker, Judge]] = {
            "insert": (insert_maker(), judge_insert),
            "tickets": (ticket_maker(seeded, rng), judge_ticket),
            "async": (ticket_maker(seeded, rng, is_async=True), judge_async_ticket),
        }
        makers = {name: every[name] for name in args.endpoints.split(",")}
        log = Path(directory) / "uvicorn.log"
        engine = make_engine(url)
        with running_server(url, args, log) as (base_url, pid):
            stack = Stack(base_url, pid, engine, server_env(url, args), Path(directory))
            console.print(f"server up at {base_url} (pid {pid}); measuring ...")
            for number in range(1, args.rounds + 1):
                for endpoint, (make, judge) in makers.items():
                    result = run_round(stack, endpoint, number, make, judge, args)
                    console.print(
                        f"  round {number} {endpoint}: {result.ok} ok, {result.rate:.1f}/s"
                    )
                    rounds.append(result)
            answered, hold = probe_commit_order(base_url)
        engine.dispose()
        server_log = log.read_text().strip()
    console.print(render(rounds, args))
    console.print(summary_table(rounds))
    order = "AFTER the response is sent" if answered < hold else "before the response is sent"
    console.print(
        f"commit order: with its commit held {hold * 1000:.0f} ms, POST /bench/commit-order "
        f"answered in {answered * 1000:.0f} ms, so the request session commits {order}",
        markup=False,
    )
    notable = [
        line
        for line in server_log.splitlines()
        if any(word in line for word in ("died", "ERROR", "Traceback", "WARNING", "Error"))
    ]
    restarts = sum("died" in line for line in notable)
    console.print(f"server workers restarted by uvicorn's supervisor during the run: {restarts}")
    if notable:
        console.print("server log, notable lines (last 15):", markup=False)
        console.print("\n".join(notable[-15:]), markup=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
