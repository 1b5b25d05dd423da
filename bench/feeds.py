"""Database load from live feeds: N experts' offer feeds held open against a real server.

Starts ``gigcx serve`` (one process, job runner off, so nothing changes while we measure) on a
PostgreSQL database of its own (a brand, a program, ``--experts`` experts with one pending offer
each), signs the experts in, opens N offer feeds
(``/expert/offers/stream``, server-sent events) spread over them, waits until each has shown its
first event, then counts what the database did for ``--seconds``: transactions (from
``pg_stat_database``; each feed read is one) and table scans (``pg_stat_user_tables``,
sequential plus index scans, a stand-in for statements). The row with 0 feeds is the server's
own background load. Compare two source trees with ``--src`` (the server runs from it):

    .venv/bin/python bench/feeds.py --feeds 0,200,2000 --keep-database
    .venv/bin/python bench/feeds.py --feeds 0,200,2000 --keep-database --src /path/to/old/src
"""

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from _support import postgres_reachable, safe_url
from gigcx.auth.enums import Role
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Brand
from gigcx.brands.schemas import BrandCreate, CategoryIn, ProgramCreate, RateIn
from gigcx.config import get_settings
from gigcx.db import migrate
from gigcx.db.session import make_engine, unit_of_work
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import Enrollment
from gigcx.experts.schemas import ExpertCreate
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.schemas import TicketCreate

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = os.environ.get(
    "GIGCX_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "feeds-bench-password"
FEED = "/expert/offers/stream"
# The server and the seeding here share them (the keys must match to read what was sealed).
SETTINGS = {
    "GIGCX_SECRET_KEY": "bench-feeds-secret",
    "GIGCX_ENCRYPTION_KEYS": "bench:YmVuY2gtZmVlZHMtbWFzdGVyLWtleS0zMi1ieXRlcyE=",
    "GIGCX_POOL_SIZE": "20",
}
# Feeds connect this many at a time, each batch shown its first event before the next.
BATCH = 50
CONNECT_SECONDS = 300.0


@dataclass(frozen=True)
class Load:
    transactions: int
    scans: int


def database_load(url: str) -> Load:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            xacts = connection.scalar(
                text(
                    "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                    "WHERE datname = current_database()"
                )
            )
            scans = connection.scalar(
                text(
                    "SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0) "
                    "FROM pg_stat_user_tables"
                )
            )
    finally:
        engine.dispose()
    return Load(int(xacts or 0), int(scans or 0))


@contextmanager
def bench_database(server_url: str, *, keep: bool) -> Iterator[str]:
    """``gigcx_bench_feeds`` on the server, made if missing (a kept one is reused, so two
    source trees are compared on the same seeded demo); dropped unless ``keep``."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = 'gigcx_bench_feeds'")
            )
            if not exists:
                connection.execute(text('CREATE DATABASE "gigcx_bench_feeds"'))
        url = make_url(server_url).set(database="gigcx_bench_feeds")
        yield url.render_as_string(hide_password=False)
        if not keep:
            with admin.connect() as connection:
                connection.execute(text('DROP DATABASE IF EXISTS "gigcx_bench_feeds" WITH (FORCE)'))
    finally:
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, src: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, **SETTINGS, "PYTHONPATH": str(src), "GIGCX_DATABASE_URL": url}
    command = [
        *(sys.executable, "-m", "gigcx", "serve"),
        *("--no-jobs", "--no-demo", "--port", str(port)),
    ]
    # Our own interpreter and module, with arguments we built.
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    while True:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit code {server.returncode})")
        try:
            if httpx.get(f"{base}/login", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)


def seed(url: str, experts: int) -> list[str]:
    """A brand, a program and ``experts`` available experts, each with one pending offer (the
    feed renders a real card); kept when the database already has them."""
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    emails = [f"feeds{n}@experts.example.com" for n in range(experts)]
    try:
        with unit_of_work(factory) as session:
            if session.scalar(select(func.count()).select_from(Brand)):
                return emails
            brand = brands_service.create_brand(
                session,
                SYSTEM,
                BrandCreate(
                    name="Feeds Bench",
                    slug="feeds-bench",
                    currency="USD",
                    admin_email="boss@feeds.example.com",
                    admin_password=PASSWORD,
                ),
            )
            program = brands_service.create_program(
                session,
                SYSTEM,
                ProgramCreate(
                    name="Feeds",
                    slug="feeds",
                    languages=["en"],
                    channels=["chat"],
                    categories=[CategoryIn(key="orders", name="Orders")],
                    rates=[
                        RateIn(category_key="orders", complexity=c, amount=Decimal("3.00"))
                        for c in ("low", "medium", "high")
                    ],
                    offers_at_once=1,
                    offer_ttl_seconds=86_400,
                ),
                brand_id=brand.id,
            )
            for n, email in enumerate(emails):
                expert, _ = experts_service.register_expert(
                    session,
                    ExpertCreate(
                        email=email,
                        password=PASSWORD,
                        display_name=f"Feeds Expert {n}",
                        country="SE",
                        timezone="Europe/Stockholm",
                        languages={"en": 5},
                        skills={"orders": 4},
                        capacity={"chat": 1},
                    ),
                )
                expert.presence = Presence.AVAILABLE
                session.add(
                    Enrollment(
                        expert_id=expert.id, program_id=program.id, status=EnrollmentStatus.ACTIVE
                    )
                )
            session.flush()
            api = Principal(role=Role.API_KEY, brand_id=brand.id)
            for n in range(experts):
                ticket, _ = tickets_service.create_ticket(
                    session,
                    api,
                    TicketCreate.model_validate(
                        {
                            "program_id": program.id,
                            "customer": {"email": f"c{n}@example.com", "name": f"Customer {n}"},
                            "language": "en",
                            "category": "orders",
                            "body": "Where is my parcel? Order 1234.",
                        }
                    ),
                    idempotency_key=None,
                )
                routing_service.route_locked(session, ticket)
    finally:
        engine.dispose()
    return emails


async def sign_in(base: str, email: str) -> httpx.Cookies:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await client.get("/login")
        token = client.cookies["gigcx_csrf"]
        answer = await client.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
        )
        if answer.status_code not in (200, 303):
            raise SystemExit(f"signing in {email} failed: {answer.status_code}")
        return client.cookies


async def follow(
    client: httpx.AsyncClient, cookies: httpx.Cookies, first: asyncio.Event, stop: asyncio.Event
) -> None:
    try:
        async with client.stream("GET", FEED, cookies=cookies) as stream:
            async for line in stream.aiter_lines():
                if line.startswith("event: html"):
                    first.set()
                if stop.is_set():
                    return
    except httpx.HTTPError as error:
        if not stop.is_set():
            print(f"a feed ended: {error!r}", file=sys.stderr)


async def measure(
    base: str, url: str, sessions: list[httpx.Cookies], feeds: int, seconds: float
) -> tuple[int, float, float, float]:
    limits = httpx.Limits(max_connections=feeds + 10, max_keepalive_connections=0)
    timeout = httpx.Timeout(600.0)
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        firsts = [asyncio.Event() for _ in range(feeds)]
        tasks = []
        started = time.perf_counter()
        for batch in range(0, feeds, BATCH):
            for n in range(batch, min(feeds, batch + BATCH)):
                cookies = sessions[n % len(sessions)]
                tasks.append(asyncio.create_task(follow(client, cookies, firsts[n], stop)))
            waiting = [first.wait() for first in firsts[batch : batch + BATCH]]
            try:
                await asyncio.wait_for(asyncio.gather(*waiting), CONNECT_SECONDS)
            except TimeoutError:
                break
        connected = sum(first.is_set() for first in firsts)
        connect_seconds = time.perf_counter() - started
        before = await asyncio.to_thread(database_load, url)
        began = time.perf_counter()
        await asyncio.sleep(seconds)
        after = await asyncio.to_thread(database_load, url)
        elapsed = time.perf_counter() - began
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return (
        connected,
        connect_seconds,
        (after.transactions - before.transactions) / elapsed,
        (after.scans - before.scans) / elapsed,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=DEFAULT_URL, help="a PostgreSQL server")
    parser.add_argument("--feeds", default="0,200,2000", help="feed counts, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="measuring time per count")
    parser.add_argument("--experts", type=int, default=10, help="demo experts to sign in")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="source the server runs")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    os.environ.update(SETTINGS)
    get_settings.cache_clear()
    # Stopped from outside: still stop the server (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    reason = postgres_reachable(args.database_url)
    if reason is not None:
        print(f"skipped: PostgreSQL at {safe_url(args.database_url)} unreachable: {reason}")
        return
    counts = [int(n) for n in args.feeds.split(",")]
    with bench_database(args.database_url, keep=args.keep_database) as url:
        emails = seed(url, args.experts)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(url, args.src.resolve(), port)
        try:
            wait_ready(base, server)
            sessions = [asyncio.run(sign_in(base, email)) for email in emails]
            print(f"server from {args.src}, {len(sessions)} experts signed in")
            print(f"{'feeds':>6} {'shown':>6} {'connect s':>10} {'xacts/s':>9} {'scans/s':>9}")
            rows = []
            for feeds in counts:
                shown, took, xacts, scans = asyncio.run(
                    measure(base, url, sessions, feeds, args.seconds)
                )
                rows.append((feeds, xacts, scans))
                print(
                    f"{feeds:>6} {shown:>6} {took:>10.1f} {xacts:>9.1f} {scans:>9.1f}", flush=True
                )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=120)
    idle = next((xacts for feeds, xacts, _ in rows if feeds == 0), 0.0)
    for feeds, xacts, _ in rows:
        if feeds:
            print(f"{feeds} feeds: {max(0.0, xacts - idle):.1f} transactions/s from feeds")


if __name__ == "__main__":
    main()
