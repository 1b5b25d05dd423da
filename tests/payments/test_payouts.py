import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gigcx.auth.principal import SYSTEM
from gigcx.jobs import service as jobs_service
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments.enums import EarningStatus
from gigcx.payments.errors import InvalidWeek, PayoutNotFound, WeekNotOver
from gigcx.payments.models import Payout, PayoutLine
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.experts import as_expert
from tests.factories.payments import make_earning, paid_expert
from tests.factories.tickets import run_jobs

# ISO week 2026-W40 runs from Monday 2026-09-28 to Monday 2026-10-05 (UTC).
IN_W40 = datetime(2026, 9, 30, 12, tzinfo=UTC)
IN_W41 = datetime(2026, 10, 7, 12, tzinfo=UTC)
AFTER_W41 = datetime(2026, 10, 13, 9, tzinfo=UTC)


def payouts_of(session: Session, week: str) -> list[tuple[str, Decimal, int]]:
    rows = session.execute(
        select(Payout.currency, Payout.total, Payout.line_count)
        .where(Payout.week == week)
        .order_by(Payout.total)
    ).all()
    return [(c, t, n) for c, t, n in rows]


def test_parse_week_gives_the_utc_bounds_of_an_iso_week() -> None:
    week = payments_service.parse_week("2026-W40")

    assert week.start == datetime(2026, 9, 28, tzinfo=UTC)
    assert week.end == datetime(2026, 10, 5, tzinfo=UTC)
    assert payments_service.week_of(IN_W40).label == "2026-W40"
    with pytest.raises(InvalidWeek):
        payments_service.parse_week("2026-40")
    with pytest.raises(InvalidWeek):
        payments_service.parse_week("2026-W54")


def test_a_week_settles_into_one_payout_per_expert_with_exact_totals(session: Session) -> None:
    brand = make_brand(session, currency="EUR")
    program = make_program(session, brand)
    ada, bo = paid_expert(session, program), paid_expert(session, program)
    for amount in ("3.50", "6.00", "2.00"):
        make_earning(session, ada, program, amount, at=IN_W40)
    make_earning(session, bo, program, "6.00", at=IN_W40)
    make_earning(session, bo, program, "9.99", at=IN_W41)  # next week: not yet

    with clock.travel_to(AFTER_W41):
        run = payments_service.run_payouts(session, week="2026-W40")

    assert (run.payouts, run.lines, run.totals, run.carried) == (
        2,
        4,
        {"EUR": Decimal("17.50")},
        0,
    )
    assert payouts_of(session, "2026-W40") == [
        ("EUR", Decimal("6.00"), 1),
        ("EUR", Decimal("11.50"), 3),
    ]


def test_running_the_same_week_twice_settles_nothing_more(session: Session) -> None:
    program = make_program(session, make_brand(session))
    expert = paid_expert(session, program)
    make_earning(session, expert, program, "4.00", at=IN_W40)

    with clock.travel_to(AFTER_W41):
        first = payments_service.run_payouts(session, week="2026-W40")
        second = payments_service.run_payouts(session, week="2026-W40")

    assert (first.payouts, first.lines) == (1, 1)
    assert (second.payouts, second.lines, second.totals) == (0, 0, {})
    assert session.scalar(select(func.count()).select_from(PayoutLine)) == 1


def test_a_reversal_of_a_paid_earning_is_carried_into_the_next_payout(session: Session) -> None:
    program = make_program(session, make_brand(session))
    expert = paid_expert(session, program)
    paid = make_earning(session, expert, program, "6.00", at=IN_W40)
    with clock.travel_to(AFTER_W41):
        payments_service.run_payouts(session, week="2026-W40")
    make_earning(session, expert, program, "-6.00", at=IN_W41, reverses=paid)
    make_earning(session, expert, program, "10.00", at=IN_W41)

    with clock.travel_to(AFTER_W41):
        run = payments_service.run_payouts(session, week="2026-W41")

    assert payouts_of(session, "2026-W41") == [("USD", Decimal("4.00"), 2)]
    assert run.totals == {"USD": Decimal("4.00")}


def test_entries_that_net_below_zero_are_carried_never_charged(session: Session) -> None:
    program = make_program(session, make_brand(session))
    expert = paid_expert(session, program)
    paid = make_earning(session, expert, program, "6.00", at=IN_W40)
    with clock.travel_to(AFTER_W41):
        payments_service.run_payouts(session, week="2026-W40")
    make_earning(session, expert, program, "-6.00", at=IN_W41, reverses=paid)
    make_earning(session, expert, program, "2.00", at=IN_W41)

    with clock.travel_to(AFTER_W41):
        run = payments_service.run_payouts(session, week="2026-W41")

    assert (run.payouts, run.carried) == (0, 1)
    assert payouts_of(session, "2026-W41") == []
    # The next week's work covers the debt and both are settled then.
    make_earning(session, expert, program, "5.00", at=AFTER_W41)
    with clock.travel_to(AFTER_W41 + timedelta(days=7)):
        later = payments_service.run_payouts(session, week="2026-W42")
    assert payouts_of(session, "2026-W42") == [("USD", Decimal("1.00"), 3)]
    assert later.carried == 0


def test_a_week_that_has_not_ended_cannot_be_paid_out(session: Session) -> None:
    program = make_program(session, make_brand(session))
    expert = paid_expert(session, program)
    make_earning(session, expert, program, "4.00", at=IN_W40)

    with clock.travel_to(IN_W40 + timedelta(days=1)), pytest.raises(WeekNotOver):
        payments_service.run_payouts(session, week="2026-W40")

    assert session.scalar(select(func.count()).select_from(Payout)) == 0


def test_an_earning_cannot_be_settled_twice_by_the_database_itself(session: Session) -> None:
    program = make_program(session, make_brand(session))
    expert = paid_expert(session, program)
    earning = make_earning(session, expert, program, "4.00", at=IN_W40)
    with clock.travel_to(AFTER_W41):
        payments_service.run_payouts(session, week="2026-W40")
    other = Payout(
        week="2026-W41",
        expert_id=expert.id,
        brand_id=program.brand_id,
        currency="USD",
        cutoff=AFTER_W41,
    )
    session.add(other)
    session.flush()

    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(PayoutLine(earning_id=earning.id, payout_id=other.id, amount=earning.amount))
        session.flush()

    lines = select(func.count()).where(PayoutLine.earning_id == earning.id)
    assert session.scalar(lines) == 1


def test_earning_status_moves_from_pending_to_approved_to_paid() -> None:
    now = datetime(2026, 10, 7, 12, tzinfo=UTC)

    assert payments_service.earning_status(IN_W41, is_settled=False, now=now) == (
        EarningStatus.PENDING
    )
    assert payments_service.earning_status(IN_W40, is_settled=False, now=now) == (
        EarningStatus.APPROVED
    )
    assert payments_service.earning_status(IN_W40, is_settled=True, now=now) == (EarningStatus.PAID)


def test_a_statement_lists_lines_and_total_as_csv_and_pdf(session: Session) -> None:
    brand = make_brand(session, currency="EUR")
    program = make_program(session, brand)
    expert = paid_expert(session, program)
    make_earning(session, expert, program, "3.50", at=IN_W40)
    make_earning(session, expert, program, "6.00", at=IN_W40 + timedelta(hours=1))
    with clock.travel_to(AFTER_W41):
        payments_service.run_payouts(session, week="2026-W40")
    payout = payments_service.list_payouts(session, as_expert(expert))[0]

    statement = payments_service.statement_of(session, as_expert(expert), payout.id)
    text = payments_service.statement_csv(statement)
    pdf = payments_service.statement_pdf(statement)

    assert text.splitlines() == [
        "date,kind,program,description,surge,amount,currency",
        f"2026-09-30,task,{program.name},test entry,,3.50,EUR",
        f"2026-09-30,task,{program.name},test entry,,6.00,EUR",
        ",total,,2 lines,,9.50,EUR",
    ]
    assert pdf.startswith(b"%PDF-")
    assert statement.total == Decimal("9.50")


def test_payouts_are_read_by_their_expert_and_brand_only(session: Session) -> None:
    brand, other_brand = make_brand(session), make_brand(session)
    program = make_program(session, brand)
    expert, stranger = (
        paid_expert(session, program),
        paid_expert(session, program),
    )
    make_earning(session, expert, program, "4.00", at=IN_W40)
    with clock.travel_to(AFTER_W41):
        payments_service.run_payouts(session, week="2026-W40")
    payout = payments_service.list_payouts(session, SYSTEM)[0]

    assert [p.id for p in payments_service.list_payouts(session, brand_admin(brand))] == [payout.id]
    assert payments_service.list_payouts(session, brand_admin(other_brand)) == []
    assert payments_service.list_payouts(session, as_expert(stranger)) == []
    with pytest.raises(PayoutNotFound):
        payments_service.statement_of(session, as_expert(stranger), payout.id)


def test_the_weekly_payout_job_is_idempotent_when_run_twice(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session))
    expert = paid_expert(session, program)
    make_earning(session, expert, program, "4.00", at=IN_W40)
    make_earning(session, expert, program, "1.50", at=IN_W40)
    with clock.travel_to(AFTER_W41):
        for _ in range(2):
            jobs_service.enqueue(session, "payments.settle_week", {"week": "2026-W40"})
        session.commit()
        stats = run_jobs(factory)

    # Both runs, and the payout.created event of the one that paid.
    assert (stats.done, stats.failed) == (3, 0)
    assert payouts_of(session, "2026-W40") == [("USD", Decimal("5.50"), 2)]
    queued = session.scalars(
        select(Job.run_at).where(Job.name == "payments.settle_week", Job.status == "queued")
    ).all()
    # The next run waits for the end of the week after the one the clock showed.
    assert queued == [datetime(2026, 10, 19, 0, 30, tzinfo=UTC)]


def test_statement_cells_never_start_a_formula(session: Session) -> None:
    brand = make_brand(session, currency="EUR")
    program = make_program(session, brand)
    program.name = '=HYPERLINK("http://x.example","pay")'
    expert = paid_expert(session, program)
    task = make_earning(session, expert, program, "3.50", at=IN_W40, description="@SUM(A1:A9)")
    make_earning(
        session,
        expert,
        program,
        "-3.50",
        at=IN_W40,
        reverses=task,
        description="+cmd|' /C calc'!A0",
    )
    make_earning(session, expert, program, "2.00", at=IN_W40, description="\t-1+1")
    with clock.travel_to(AFTER_W41):
        payments_service.run_payouts(session, week="2026-W40")
    payout = payments_service.list_payouts(session, as_expert(expert))[0]

    text = payments_service.statement_csv(
        payments_service.statement_of(session, as_expert(expert), payout.id)
    )

    rows = list(csv.reader(io.StringIO(text)))
    name = '\'=HYPERLINK("http://x.example","pay")'
    assert sorted((row[2], row[3], row[5]) for row in rows[1:-1]) == [
        (name, "'\t-1+1", "2.00"),
        (name, "'+cmd|' /C calc'!A0", "-3.50"),
        (name, "'@SUM(A1:A9)", "3.50"),
    ]
    assert rows[-1] == ["", "total", "", "3 lines", "", "2.00", "EUR"]
