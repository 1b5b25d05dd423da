"""Weekly payout settlement for 10,000 experts and 1,000,000 earnings on PostgreSQL.

A scratch database is migrated, a few brands and programs are made through the real services,
then experts and one finished week of earnings (with some reversals) are bulk-loaded with COPY.
The measured step is the real ``gigcx.payments.service.run_payouts``: set-based SQL that makes
one payout per expert, brand and currency, settles every earning with one payout line and sums
the totals, then commits. The same week is run a second time to show it settles nothing more,
and SQL checks that the books balance.

    .venv/bin/python bench/payouts.py
    .venv/bin/python bench/payouts.py --experts 1000 --earnings 100000
"""

import argparse
import random
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from _support import DEFAULT_POSTGRES_URL, postgres_reachable, safe_url, scratch_postgres_database
from gigcx.auth.principal import SYSTEM
from gigcx.brands import service as brands_service
from gigcx.brands.schemas import BrandCreate, CategoryIn, ProgramCreate, RateIn
from gigcx.db import migrate
from gigcx.db.session import make_engine
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments.models import Earning, Payout, PayoutLine

BRANDS = 4
PROGRAMS_PER_BRAND = 3
REVERSAL_SHARE = 0.01


@dataclass
class Timings:
    phases: list[tuple[str, float, str]] = field(default_factory=list)

    @contextmanager
    def phase(self, name: str, detail: str = "") -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.phases.append((name, time.perf_counter() - start, detail))


def _programs(session: Session) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    programs = []
    for b in range(BRANDS):
        currency = ("EUR", "USD")[b % 2]
        brand = brands_service.create_brand(
            session,
            SYSTEM,
            BrandCreate(
                name=f"Bench brand {b}",
                slug=f"bench-brand-{b}",
                currency=currency,
                admin_email=f"admin{b}@bench.example.com",
                admin_password="bench-password",
            ),
        )
        for p in range(PROGRAMS_PER_BRAND):
            program = brands_service.create_program(
                session,
                SYSTEM,
                ProgramCreate(
                    name=f"Program {b}-{p}",
                    slug=f"program-{p}",
                    languages=["en"],
                    channels=["chat"],
                    categories=[CategoryIn(key="billing", name="Billing")],
                    rates=[
                        RateIn(category_key="billing", complexity=c, amount=Decimal(a))
                        for c, a in (("low", "2.00"), ("medium", "3.50"), ("high", "6.00"))
                    ],
                ),
                brand_id=brand.id,
            )
            programs.append((program.id, brand.id, currency))
    return programs


def _copy(engine: Engine, statement: str, rows: Iterator[tuple[Any, ...]]) -> int:
    raw = engine.raw_connection()
    count = 0
    try:
        cursor: Any = raw.cursor()
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        raw.commit()
    finally:
        raw.close()
    return count


def load(engine: Engine, args: argparse.Namespace, timings: Timings) -> payments_service.Week:
    """Programs through the services; experts and earnings through COPY."""
    week = payments_service.last_finished_week()
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        programs = _programs(session)
        session.commit()
    rng = random.Random(args.seed)
    expert_ids = [uuid.uuid4() for _ in range(args.experts)]
    now = clock.now()
    with timings.phase("load experts (COPY)", f"{args.experts:,} rows"):
        _copy(
            engine,
            "COPY experts (id, display_name, email, country, timezone, presence, "
            "presence_changed_at, payout_details, created_at) FROM STDIN",
            (
                (e, f"Expert {n}", f"e{n}@bench.example.com", "DE", "UTC", "offline", now, "", now)
                for n, e in enumerate(expert_ids)
            ),
        )
        # Payout runs hold experts without a payout method: every bench expert has one.
        _copy(
            engine,
            "COPY payout_methods (id, expert_id, kind, account_holder, iban, paypal_email, "
            "updated_at, created_at) FROM STDIN",
            (
                (uuid.uuid4(), e, "paypal", "", "", f"e{n}@bench.example.com", now, now)
                for n, e in enumerate(expert_ids)
            ),
        )
    seconds = int((week.end - week.start).total_seconds()) - 1
    amounts = [Decimal(a) for a in ("2.00", "3.50", "6.00", "5.25", "1.75")]
    reversals = int(args.earnings * REVERSAL_SHARE)
    originals: list[tuple[uuid.UUID, uuid.UUID, tuple[uuid.UUID, uuid.UUID, str], Decimal]] = []

    def earnings() -> Iterator[tuple[Any, ...]]:
        for n in range(args.earnings - reversals):
            expert = expert_ids[n % len(expert_ids)]
            program = programs[(n // len(expert_ids)) % len(programs)]
            amount = amounts[rng.randrange(len(amounts))]
            earning_id = uuid.uuid4()
            if len(originals) < reversals:
                originals.append((earning_id, expert, program, amount))
            at = week.start + timedelta(seconds=rng.randrange(seconds))
            yield (
                earning_id,
                expert,
                program[1],
                program[0],
                "task",
                amount,
                program[2],
                "Resolved ticket",
                f"bench:{earning_id}",
                None,
                "{}",
                at,
            )
        for earning_id, expert, program, amount in originals:
            at = week.end - timedelta(seconds=rng.randrange(1, 3600))
            yield (
                uuid.uuid4(),
                expert,
                program[1],
                program[0],
                "reversal",
                -amount,
                program[2],
                "Reversal: bench",
                f"reversal:{earning_id}",
                earning_id,
                "{}",
                at,
            )

    with timings.phase("load earnings (COPY)", f"{args.earnings:,} rows, {reversals:,} reversals"):
        _copy(
            engine,
            "COPY earnings (id, expert_id, brand_id, program_id, kind, amount, currency, "
            "description, source_key, reverses_id, terms, created_at) FROM STDIN",
            earnings(),
        )
    with timings.phase("ANALYZE"), engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return week


def settle(engine: Engine, week: str) -> tuple[payments_service.PayoutRun, float]:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    start = time.perf_counter()
    with factory() as session:
        run = payments_service.run_payouts(session, week=week)
        session.commit()
    return run, time.perf_counter() - start


def check(engine: Engine) -> dict[str, Any]:
    factory = sessionmaker(bind=engine)
    with factory() as session:
        ledger = session.scalar(select(func.sum(Earning.amount))) or Decimal(0)
        paid = session.scalar(select(func.sum(Payout.total))) or Decimal(0)
        unsettled = session.scalar(
            select(func.coalesce(func.sum(Earning.amount), 0)).where(
                ~select(PayoutLine.earning_id).where(PayoutLine.earning_id == Earning.id).exists()
            )
        )
        lines = session.scalar(select(func.count()).select_from(PayoutLine)) or 0
        distinct = session.scalar(select(func.count(func.distinct(PayoutLine.earning_id)))) or 0
    return {
        "ledger": ledger,
        "paid": paid,
        "unsettled": Decimal(unsettled or 0),
        "lines": lines,
        "distinct": distinct,
    }


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--earnings", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=DEFAULT_POSTGRES_URL, help="the server to use")
    parser.add_argument("--bench-database", default="gigcx_bench_pay", help="scratch database")
    parser.add_argument("--keep-database", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    console = Console(width=120) if not sys.stdout.isatty() else Console()
    problem = postgres_reachable(args.database_url)
    if problem is not None:
        console.print(f"PostgreSQL skipped: cannot reach {safe_url(args.database_url)}: {problem}")
        return 0
    timings = Timings()
    with scratch_postgres_database(
        args.database_url, args.bench_database, keep=args.keep_database
    ) as url:
        migrate.upgrade(url)
        engine = make_engine(url, pool_size=2)
        console.print(f"loading {args.experts:,} experts and {args.earnings:,} earnings ...")
        week = load(engine, args, timings)
        console.print(f"settling {week.label} ...")
        first, first_seconds = settle(engine, week.label)
        second, second_seconds = settle(engine, week.label)
        books = check(engine)
        engine.dispose()

    table = Table(title=f"Weekly payouts on PostgreSQL ({week.label})")
    for name in ("step", "seconds", "payouts", "lines", "totals", "detail"):
        table.add_column(name, justify="left" if name in ("step", "detail", "totals") else "right")
    for name, seconds, detail in timings.phases:
        table.add_row(name, f"{seconds:.2f}", "", "", "", detail)
    for name, run, seconds in (
        ("settle week (run_payouts + commit)", first, first_seconds),
        ("settle again (idempotent)", second, second_seconds),
    ):
        totals = ", ".join(f"{total:,.2f} {c}" for c, total in sorted(run.totals.items()))
        rate = f"{run.lines / seconds:,.0f} lines/s" if run.lines else ""
        table.add_row(
            name,
            f"{seconds:.2f}",
            f"{run.payouts:,}",
            f"{run.lines:,}",
            totals or "-",
            f"{rate}; carried {run.carried}",
        )
    console.print(table)
    balanced = books["paid"] + books["unsettled"] == books["ledger"]
    console.print(
        f"books: ledger {books['ledger']:,.2f} = paid {books['paid']:,.2f} + unsettled "
        f"{books['unsettled']:,.2f}: {'balanced' if balanced else 'NOT BALANCED'}; "
        f"{books['lines']:,} payout lines for {books['distinct']:,} distinct earnings"
    )
    return 0 if balanced and books["lines"] == books["distinct"] else 1


if __name__ == "__main__":
    sys.exit(main())
