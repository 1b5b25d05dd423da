"""Routing decision latency with 10,000 available experts across 20 programs, in process.

For each of N new tickets, on SQLite (a temp file) and on PostgreSQL (a scratch database):

  decision        what route_locked runs to decide who gets the offer: memory.pool (the
                  process's in-memory roster, after one statement that reads the change log
                  past its watermark), the free-capacity filter, Pool.ranked for the best few
                  and _choose
    pool          memory.pool alone
    rank+choose   the rest
  decision, SQL   the same decision read from the database instead (queries.find_candidates,
                  the eligibility statement, + scoring.rank over every candidate): how routing
                  decided before the in-memory roster, for comparison
  route_locked    the real gigcx.routing.service.route_locked on the locked ticket: program,
                  eligibility, scoring, status transitions with audit events, the offer row and
                  its expiry job, flushed
  + commit        the same and the commit (the rollback with --rollback)

Each ticket is handled in its own session that ends with a commit, as a request or a job does
(psycopg prepares a statement after 5 runs on a connection and a rollback forgets them, so how a
session ends changes the PostgreSQL plan; see the notes under the table).

    .venv/bin/python bench/routing.py
    .venv/bin/python bench/routing.py --databases postgresql --statements --show-plan
    .venv/bin/python bench/routing.py --databases sqlite --profile
    .venv/bin/python bench/routing.py --experts 1000,10000,100000   # how the cost grows

Before the timed tickets, one ticket of each program is decided, so each program's roster is in
memory (a process reads it once, at its first ticket of the program).
"""

import argparse
import cProfile
import gc
import io
import pstats
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

import _fixture
from _support import (
    DEFAULT_POSTGRES_URL,
    ms,
    postgres_reachable,
    safe_url,
    scratch_postgres_database,
    summarize,
)
from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Program
from gigcx.db import migrate
from gigcx.db.session import make_engine
from gigcx.experts.models import (
    Enrollment,
    Expert,
    ExpertCapacity,
    ExpertLanguage,
    ExpertSkill,
)
from gigcx.kit import clock
from gigcx.routing import memory, scoring
from gigcx.routing import service as routing_service
from gigcx.routing.models import RoutingRoster
from gigcx.routing.queries import eligible_experts, find_candidates
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Assignment, Offer, Ticket

TARGET_P99_MS = 2.0  # up to 10,000 experts
TARGET_P99_MS_LARGE = 5.0  # 100,000
WARMUP = 50


def target_ms(experts: int) -> float:
    return TARGET_P99_MS if experts <= 10_000 else TARGET_P99_MS_LARGE


@dataclass
class DatabaseRun:
    database: str
    experts: int
    measures: dict[str, list[float]] = field(default_factory=dict)
    candidates: list[int] = field(default_factory=list)
    free: list[int] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    statements: dict[str, list[float]] = field(default_factory=dict)
    build_seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    plan: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profile: str = ""


def build(
    factory: sessionmaker[Session], args: argparse.Namespace
) -> tuple[list[uuid.UUID], dict[str, int]]:
    """Build the marketplace and the tickets to route; return their ids and the row counts."""
    rng = random.Random(args.seed)
    with factory() as session, session.begin():
        programs = _fixture.create_programs(session, programs=args.programs, brands=4)
        expert_ids = _fixture.add_experts(
            session, programs, per_program=args.size // args.programs, rng=rng
        )
        _fixture.add_background_work(session, programs, expert_ids, rng=rng)
        tickets = _fixture.ticket_rows(programs, WARMUP + args.decisions, rng=rng)
        _fixture.add_tickets(session, tickets)
    models: tuple[Any, ...] = (Program, Expert, ExpertLanguage, ExpertSkill, ExpertCapacity)
    models += (Enrollment, RoutingRoster, Ticket, Assignment, Offer)
    with factory() as session:
        rows = _fixture.count_rows(session, models)
    return [row["id"] for row in tickets], rows


def analyze(engine: Engine) -> None:
    """Refresh planner statistics, as autovacuum (PostgreSQL) or PRAGMA optimize would."""
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


def query_plan(engine: Engine, factory: sessionmaker[Session], ticket_id: uuid.UUID) -> list[str]:
    with factory() as session:
        ticket = session.get_one(Ticket, ticket_id)
        statement = eligible_experts(ticket, required_level=2)
        compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        rows = session.execute(text(prefix + str(compiled))).all()
    return [str(row[-1]) for row in rows]


def prepared_plans(session: Session) -> str | None:
    """How PostgreSQL ran the eligibility statement if psycopg prepared it on this connection."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    row = session.execute(
        text(
            "SELECT count(*), coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) "
            "FROM pg_prepared_statements WHERE statement LIKE '%routing_roster%'"
        )
    ).one()
    if not row[0]:
        return "eligibility statement not prepared on this connection"
    return f"eligibility statement prepared: {row[1]} generic plans, {row[2]} custom plans"


def decide(session: Session, ticket: Ticket, program: Program) -> tuple[float, float, int, int]:
    """Time the read side of routing as route_locked runs it; return the pool and rank
    seconds and the candidate counts."""
    category = program.category(ticket.category)
    assert category is not None
    started = time.perf_counter()
    pool = memory.pool(session, ticket, required_level=category.required_skill_level)
    found = time.perf_counter()
    free = pool.free()
    first = routing_service.offers_room(ticket, program)
    ranked = free.ranked(
        program.routing_weights, clock.now(), first=first, include=ticket.last_expert_id
    )
    chosen = routing_service._choose(ranked, ticket, program)
    decided = time.perf_counter()
    assert chosen or not len(free)
    return found - started, decided - found, len(pool), len(free)


def decide_in_sql(session: Session, ticket: Ticket, program: Program) -> float:
    """The same decision read from the database (the eligibility statement)."""
    category = program.category(ticket.category)
    assert category is not None
    started = time.perf_counter()
    candidates = find_candidates(session, ticket, required_level=category.required_skill_level)
    free = [c for c in candidates if c.has_free_capacity]
    ranked = scoring.rank(free, program.routing_weights, clock.now())
    chosen = routing_service._choose(ranked, ticket, program)
    assert chosen or not free
    return time.perf_counter() - started


def warm(factory: sessionmaker[Session], ticket_ids: list[uuid.UUID]) -> None:
    """Decide one ticket of each program: each program's roster is then in memory."""
    seen: set[uuid.UUID] = set()
    for ticket_id in ticket_ids:
        with factory() as session:
            ticket = session.get_one(Ticket, ticket_id)
            if ticket.program_id in seen:
                continue
            seen.add(ticket.program_id)
            decide(session, ticket, session.get_one(Program, ticket.program_id))
            session.commit()


def run_decisions(
    factory: sessionmaker[Session], ticket_ids: list[uuid.UUID], run: DatabaseRun
) -> None:
    total: list[float] = []
    find: list[float] = []
    rank: list[float] = []
    in_sql: list[float] = []
    warm(factory, ticket_ids)
    for index, ticket_id in enumerate(ticket_ids):
        with factory() as session:
            ticket = session.get_one(Ticket, ticket_id)
            program = session.get_one(Program, ticket.program_id)
            assert program.categories
            found, ranked, seen, free = decide(session, ticket, program)
            sql_seconds = decide_in_sql(session, ticket, program)
            if index == len(ticket_ids) - 1 and (note := prepared_plans(session)):
                run.notes.append(f"after the decisions: {note}")
            session.commit()
        if index < WARMUP:
            continue
        total.append(found + ranked)
        find.append(found)
        rank.append(ranked)
        in_sql.append(sql_seconds)
        run.candidates.append(seen)
        run.free.append(free)
    run.measures.update(
        {"decision": total, "  pool": find, "  rank+choose": rank, "decision, SQL": in_sql}
    )


def statement_label(statement: str) -> str:
    """A short name for a statement: its verb and table, found outside any subquery."""
    words = " ".join(statement.split())
    if "routing_roster" in words and words.startswith("SELECT"):
        return "SELECT eligible experts (find_candidates)"
    if not words.startswith("SELECT"):
        return words[:48]
    depth = 0
    for index, char in enumerate(words):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and words.startswith(" FROM ", index):
            return "SELECT ... FROM " + words[index + 6 :][:32]
    return words[:48]


class StatementTimer:
    """Time the statements an engine runs while ``active``, grouped by their first words."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.active = False
        self.seconds: dict[str, list[float]] = {}
        self._started: dict[int, float] = {}

    def _before(self, conn: Any, *_: Any) -> None:
        self._started[id(conn)] = time.perf_counter()

    def _after(self, conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        elapsed = time.perf_counter() - self._started.pop(id(conn), time.perf_counter())
        if not self.active:
            return
        self.seconds.setdefault(statement_label(statement), []).append(elapsed)

    @contextmanager
    def installed(self) -> Iterator["StatementTimer"]:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", self._before)
            event.remove(self.engine, "after_cursor_execute", self._after)


def run_route_locked(
    factory: sessionmaker[Session],
    ticket_ids: list[uuid.UUID],
    run: DatabaseRun,
    *,
    commit: bool,
    timer: StatementTimer | None,
) -> None:
    routed: list[float] = []
    finished: list[float] = []
    for index, ticket_id in enumerate(ticket_ids):
        with factory() as session:
            ticket = tickets_service.lock_ticket(session, SYSTEM, ticket_id)
            if timer is not None:
                timer.active = index >= WARMUP
            started = time.perf_counter()
            outcome = routing_service.route_locked(session, ticket)
            done = time.perf_counter()
            if timer is not None:
                timer.active = False
            if index == len(ticket_ids) - 1 and (note := prepared_plans(session)):
                run.notes.append(f"after route_locked: {note}")
            if commit:
                session.commit()
            else:
                session.rollback()
            ended = time.perf_counter()
        if index < WARMUP:
            continue
        run.outcomes[outcome.action] += 1
        routed.append(done - started)
        finished.append(ended - started)
    run.measures["route_locked"] = routed
    run.measures["route_locked + " + ("commit" if commit else "rollback")] = finished


def profile_decisions(
    factory: sessionmaker[Session], ticket_ids: list[uuid.UUID], *, lines: int
) -> str:
    profiler = cProfile.Profile()
    for ticket_id in ticket_ids:
        with factory() as session:
            ticket = session.get_one(Ticket, ticket_id)
            program = session.get_one(Program, ticket.program_id)
            assert program.categories
            profiler.enable()
            decide(session, ticket, program)
            profiler.disable()
            session.commit()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)
    return out.getvalue()


def engine_for(url: str, args: argparse.Namespace) -> Engine:
    """The application's engine; with --pg-prepare-threshold, psycopg's setting changed."""
    if url.startswith("postgresql") and args.pg_prepare_threshold != "default":
        threshold = None if args.pg_prepare_threshold == "off" else int(args.pg_prepare_threshold)
        return create_engine(
            url,
            pool_size=10,
            max_overflow=10,
            pool_pre_ping=True,
            connect_args={"prepare_threshold": threshold},
        )
    return make_engine(url)


def run_database(
    database: str, url: str, args: argparse.Namespace, console: Console
) -> DatabaseRun:
    console.print(
        f"[bold]{database}[/], {args.size:,} experts: migrating and building the marketplace ..."
    )
    migrate.upgrade(url)
    engine = engine_for(url, args)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    run = DatabaseRun(database, args.size)
    started = time.perf_counter()
    ticket_ids, run.rows = build(factory, args)
    if args.analyze:
        analyze(engine)
    run.build_seconds = time.perf_counter() - started
    run.plan = query_plan(engine, factory, ticket_ids[0])
    console.print(f"  built in {run.build_seconds:.1f} s; deciding for {args.decisions} tickets")
    gc.collect()
    run_decisions(factory, ticket_ids, run)
    if args.profile:
        run.profile = profile_decisions(factory, ticket_ids[: args.profile_tickets], lines=25)
    gc.collect()
    console.print(f"  routing {args.decisions} tickets with route_locked")
    if args.statements:
        with StatementTimer(engine).installed() as timer:
            run_route_locked(factory, ticket_ids, run, commit=not args.rollback, timer=timer)
        run.statements = timer.seconds
    else:
        run_route_locked(factory, ticket_ids, run, commit=not args.rollback, timer=None)
    memory.forget(engine)
    engine.dispose()
    return run


def render(runs: list[DatabaseRun], skipped: list[str], args: argparse.Namespace) -> Table:
    table = Table(
        title=(
            f"Routing latency in ms: available experts in {args.programs} "
            f"programs, {args.decisions:,} new tickets"
        ),
        caption=(
            f"target: decision p99 <= {TARGET_P99_MS:g} ms at 10,000 experts, "
            f"<= {TARGET_P99_MS_LARGE:g} ms at 100,000. "
            "Shared 2-core machine: read medians and ratios, not single maxima."
        ),
    )
    headers = ("database", "experts", "measure", "n", "p50", "p90", "p99", "max", "mean", "target")
    for header in headers:
        if header in {"database", "measure", "target"}:
            table.add_column(header)
        else:
            table.add_column(header, justify="right")
    for run in runs:
        for name, seconds in run.measures.items():
            s = summarize(seconds)
            target = ""
            if name == "decision":
                target = "met" if s.p99 * 1000 <= target_ms(run.experts) else "MISSED"
            row = (ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), ms(s.mean))
            table.add_row(run.database, f"{run.experts:,}", name, str(s.count), *row, target)
        table.add_section()
    if skipped:
        table.add_row("postgresql", "", "skipped (unreachable)", "", "", "", "", "", "", "")
    return table


def describe(run: DatabaseRun, args: argparse.Namespace, console: Console) -> None:
    rows = ", ".join(f"{name} {count:,}" for name, count in run.rows.items())
    console.print(f"{run.database} fixture, built in {run.build_seconds:.1f} s: {rows}")
    if run.candidates:
        deciles = statistics.quantiles(run.candidates, n=10)
        console.print(
            f"{run.database} candidates per decision: median {statistics.median(run.candidates):g}"
            f" (p10 {deciles[0]:g}, p90 {deciles[-1]:g}); with free capacity: median "
            f"{statistics.median(run.free):g}"
        )
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(run.outcomes.items()))
    console.print(f"{run.database} route_locked outcomes: {outcomes}")
    for note in run.notes:
        console.print(f"{run.database} {note}")
    if run.statements:
        console.print(f"{run.database} statements inside route_locked (ms, per run):")
        if run.database == "sqlite":
            console.print(
                "  (sqlite3 runs a SELECT while its rows are fetched, which is not timed here)"
            )
        by_total = sorted(run.statements.items(), key=lambda kv: -sum(kv[1]))
        for label, seconds in by_total:
            s = summarize(seconds)
            console.print(
                f"  {s.count:5d} x  p50 {ms(s.p50):>7}  p99 {ms(s.p99):>7}"
                f"  total {sum(seconds):6.2f} s  {label}",
                markup=False,
            )
    if args.show_plan:
        console.print(f"{run.database} eligibility plan:")
        for line in run.plan:
            console.print(f"  {line}", markup=False)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Routing decision latency with many available experts, in process.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_POSTGRES_URL,
        help="PostgreSQL server to use (or GIGCX_BENCH_POSTGRES_URL); the bench creates its "
        "own database there and drops it afterwards",
    )
    parser.add_argument("--bench-database", default="gigcx_bench_routing")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it afterwards")
    parser.add_argument(
        "--experts", default="10000", help="available experts; several, comma-separated"
    )
    parser.add_argument("--programs", type=int, default=20)
    parser.add_argument("--decisions", type=int, default=1_000, help="measured tickets")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-analyze",
        dest="analyze",
        action="store_false",
        help="skip ANALYZE after loading (planner statistics)",
    )
    parser.add_argument(
        "--rollback", action="store_true", help="roll back each route_locked instead of commit"
    )
    parser.add_argument(
        "--pg-prepare-threshold",
        default="default",
        help="what-if: psycopg prepare_threshold (a number, or 'off'); default is the driver's",
    )
    parser.add_argument("--statements", action="store_true", help="time statements in routing")
    parser.add_argument("--show-plan", action="store_true", help="print the eligibility plan")
    parser.add_argument("--profile", action="store_true", help="cProfile the decisions too")
    parser.add_argument("--profile-tickets", type=int, default=500)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    console = Console(width=120) if not sys.stdout.isatty() else Console()
    runs: list[DatabaseRun] = []
    skipped: list[str] = []
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        console.print(f"unknown database(s) {sorted(unknown)}; use sqlite and/or postgresql")
        return 2
    sizes = [int(size.replace("_", "")) for size in args.experts.split(",") if size.strip()]
    problem = postgres_reachable(args.database_url) if "postgresql" in databases else None
    if problem is not None:
        skipped.append(f"PostgreSQL skipped: cannot reach {safe_url(args.database_url)}: {problem}")
    for size in sizes:
        args.size = size
        if "sqlite" in databases:
            with tempfile.TemporaryDirectory(prefix="gigcx-bench-") as directory:
                url = f"sqlite:///{Path(directory) / 'routing.db'}"
                runs.append(run_database("sqlite", url, args, console))
        if "postgresql" in databases and problem is None:
            with scratch_postgres_database(
                args.database_url, args.bench_database, keep=args.keep_database
            ) as url:
                runs.append(run_database("postgresql", url, args, console))
    console.print()
    for run in runs:
        describe(run, args, console)
    for line in skipped:
        console.print(line, markup=False)
    console.print(render(runs, skipped, args))
    for run in runs:
        if run.profile:
            console.rule(f"cProfile of {args.profile_tickets} decisions on {run.database}")
            print(run.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
