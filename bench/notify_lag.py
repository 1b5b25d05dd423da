"""How long a commit takes to reach live feeds held by several server processes.

Starts ``gigcx serve --processes 2 --no-jobs --no-demo`` on a database of its own (SQLite in a
temporary folder, or ``gigcx_redis_bench_lag`` on PostgreSQL), with or without
``GIGCX_REDIS_URL``, opens ``--feeds`` customer conversation streams (``/c/<token>/stream``; the
kernel spreads them over both processes), then ``--rounds`` times commits a staff reply from this
process (a third one, as a job runner or another server would) and times each stream's next
event from the commit. Without a transport between processes (SQLite, no Redis) the feeds look
again every 2 s; with LISTEN/NOTIFY or Redis they are pushed.

    .venv/bin/python bench/notify_lag.py --database sqlite --transport none,redis
    .venv/bin/python bench/notify_lag.py --database postgres --transport listen,redis
"""

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from _support import postgres_reachable
from feeds import SETTINGS, free_port, wait_ready
from gigcx.auth.enums import Role
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands import service as brands_service
from gigcx.brands.schemas import BrandCreate, CategoryIn, ProgramCreate, RateIn
from gigcx.config import get_settings
from gigcx.db import migrate, notify
from gigcx.db.session import make_engine, unit_of_work
from gigcx.tickets import service as tickets_service
from gigcx.tickets.schemas import TicketCreate

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "GIGCX_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("GIGCX_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
DATABASE = "gigcx_redis_bench_lag"
# Patience for one event on a loaded machine, not a measurement cap.
EVENT_PATIENCE_SECONDS = 60.0


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="gigcx-lag-") as folder:
            yield f"sqlite:///{folder}/lag.db"
        return
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        yield make_url(POSTGRES_URL).set(database=DATABASE).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    finally:
        admin.dispose()


def seed(url: str) -> tuple[uuid.UUID, uuid.UUID, str]:
    """A brand, a program and one ticket; its id, the brand's and the customer's link token."""
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        with unit_of_work(factory) as session:
            brand = brands_service.create_brand(
                session,
                SYSTEM,
                BrandCreate(
                    name="Lag Bench",
                    slug="lag-bench",
                    currency="USD",
                    admin_email="boss@lag.example.com",
                    admin_password="lag-bench-password",
                ),
            )
            program = brands_service.create_program(
                session,
                SYSTEM,
                ProgramCreate(
                    name="Lag",
                    slug="lag",
                    languages=["en"],
                    channels=["chat"],
                    categories=[CategoryIn(key="orders", name="Orders")],
                    rates=[
                        RateIn(category_key="orders", complexity=c, amount=Decimal("3.00"))
                        for c in ("low", "medium", "high")
                    ],
                ),
                brand_id=brand.id,
            )
            ticket, _ = tickets_service.create_ticket(
                session,
                Principal(role=Role.API_KEY, brand_id=brand.id),
                TicketCreate.model_validate(
                    {
                        "program_id": program.id,
                        "customer": {"email": "c@example.com", "name": "Customer"},
                        "language": "en",
                        "category": "orders",
                        "body": "Where is my parcel?",
                    }
                ),
                idempotency_key=None,
            )
            return ticket.id, brand.id, tickets_service.customer_link_token(ticket)
    finally:
        engine.dispose()


def start_server(url: str, port: int, redis_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **SETTINGS,
        "PYTHONPATH": str(ROOT / "src"),
        "GIGCX_DATABASE_URL": url,
        "GIGCX_REDIS_URL": redis_url,
    }
    command = [
        *(sys.executable, "-m", "gigcx", "serve", "--processes", "2"),
        *("--no-jobs", "--no-demo", "--port", str(port)),
    ]
    return subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def follow(client: httpx.AsyncClient, path: str, events: asyncio.Queue[float]) -> None:
    async with client.stream("GET", path) as stream:
        async for line in stream.aiter_lines():
            if line.startswith("event: html"):
                events.put_nowait(time.perf_counter())


def reply(url: str, ticket_id: uuid.UUID, brand_id: uuid.UUID, n: int) -> float:
    """Commit a staff reply; return the moment the commit returned."""
    engine = make_engine(url)
    try:
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        with unit_of_work(factory) as session:
            staff = Principal(role=Role.BRAND_ADMIN, brand_id=brand_id)
            tickets_service.reply(session, staff, ticket_id, f"Update {n}.", is_internal=False)
        return time.perf_counter()
    finally:
        engine.dispose()


async def measure(
    base: str, url: str, seeded: tuple[uuid.UUID, uuid.UUID, str], feeds: int, rounds: int
) -> list[float]:
    ticket_id, brand_id, token = seeded
    limits = httpx.Limits(max_connections=feeds + 5, max_keepalive_connections=0)
    queues: list[asyncio.Queue[float]] = [asyncio.Queue() for _ in range(feeds)]
    lags: list[float] = []
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=600) as client:
        tasks = [asyncio.create_task(follow(client, f"/c/{token}/stream", q)) for q in queues]
        for queue in queues:
            await asyncio.wait_for(queue.get(), EVENT_PATIENCE_SECONDS)
        for n in range(rounds):
            committed = await asyncio.to_thread(reply, url, ticket_id, brand_id, n)
            for queue in queues:
                arrived = await asyncio.wait_for(queue.get(), EVENT_PATIENCE_SECONDS)
                lags.append(arrived - committed)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return lags


def run(kind: str, transport: str, feeds: int, rounds: int) -> list[float]:
    redis_url = REDIS_URL if transport == "redis" else ""
    os.environ.update(SETTINGS)
    os.environ["GIGCX_REDIS_URL"] = redis_url
    os.environ["GIGCX_REDIS_CHANNEL"] = f"gigcx-bench-{uuid.uuid4().hex[:8]}"
    get_settings.cache_clear()
    with database(kind) as url:
        seeded = seed(url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(url, port, redis_url)
        try:
            wait_ready(base, server)
            return asyncio.run(measure(base, url, seeded, feeds, rounds))
        finally:
            notify.close_publishers()
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--transport", default="none,redis", help="none|listen|redis, comma list")
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if args.database == "postgres" and (reason := postgres_reachable(POSTGRES_URL)) is not None:
        print(f"skipped: PostgreSQL unreachable: {reason}")
        return
    print(
        f"{'database':>9} {'transport':>9} {'events':>7} {'p50 ms':>8} {'p90 ms':>8} {'max ms':>8}"
    )
    for transport in args.transport.split(","):
        lags = sorted(run(args.database, transport, args.feeds, args.rounds))
        p50 = statistics.median(lags) * 1000
        p90 = lags[int(len(lags) * 0.9) - 1] * 1000
        print(
            f"{args.database:>9} {transport:>9} {len(lags):>9} {p50:>9.1f} {p90:>9.1f} "
            f"{lags[-1] * 1000:>9.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
