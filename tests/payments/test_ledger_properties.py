"""Over random sequences of earnings, reversals and payouts the books always balance."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments.models import Earning, Payout, PayoutLine
from tests.factories.brands import make_brand, make_program
from tests.factories.payments import make_earning, paid_expert

START = datetime(2026, 1, 5, 9, tzinfo=UTC)  # a Monday

earn = st.tuples(st.just("earn"), st.integers(0, 2), st.integers(1, 5000))
reverse = st.tuples(st.just("reverse"), st.integers(0, 1000), st.just(0))
payout = st.tuples(st.just("payout"), st.just(0), st.just(0))
operations = st.lists(st.one_of(earn, earn, reverse, payout), min_size=1, max_size=30)


@dataclass
class Books:
    now: datetime = START
    earnings: list[Earning] = field(default_factory=list)
    reversed_ids: set[object] = field(default_factory=set)


def check_books(session: Session, experts: list[Expert]) -> None:
    for expert in experts:
        ledger = session.scalar(
            select(func.coalesce(func.sum(Earning.amount), 0)).where(Earning.expert_id == expert.id)
        )
        paid = session.scalar(
            select(func.coalesce(func.sum(Payout.total), 0)).where(Payout.expert_id == expert.id)
        )
        owed = session.scalar(
            select(func.coalesce(func.sum(Earning.amount), 0)).where(
                Earning.expert_id == expert.id,
                ~select(PayoutLine.earning_id).where(PayoutLine.earning_id == Earning.id).exists(),
            )
        )
        assert Decimal(paid or 0) + Decimal(owed or 0) == Decimal(ledger or 0)
    for payout_row in session.scalars(select(Payout)):
        lines = session.execute(
            select(func.coalesce(func.sum(PayoutLine.amount), 0), func.count()).where(
                PayoutLine.payout_id == payout_row.id
            )
        ).one()
        assert (payout_row.total, payout_row.line_count) == (Decimal(lines[0]), lines[1])
        assert payout_row.total >= 0
    mismatched = session.scalar(
        select(func.count())
        .select_from(PayoutLine)
        .join(Earning, Earning.id == PayoutLine.earning_id)
        .where(PayoutLine.amount != Earning.amount)
    )
    assert mismatched == 0
    settled = session.scalar(select(func.count()).select_from(PayoutLine))
    distinct = session.scalar(select(func.count(func.distinct(PayoutLine.earning_id))))
    assert settled == distinct


def test_balances_equal_the_ledger_and_nothing_is_settled_twice(session: Session) -> None:
    program = make_program(session, make_brand(session, currency="EUR"))
    experts = [paid_expert(session, program) for _ in range(3)]

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=operations)
    def run(steps: list[tuple[str, int, int]]) -> None:
        savepoint = session.begin_nested()
        books = Books()
        try:
            for action, number, cents in steps:
                books.now += timedelta(hours=1)
                if action == "earn":
                    amount = Decimal(cents) / 100
                    earning = make_earning(session, experts[number], program, amount, at=books.now)
                    books.earnings.append(earning)
                elif action == "reverse":
                    open_ = [
                        e
                        for e in books.earnings
                        if e.reverses_id is None and e.id not in books.reversed_ids
                    ]
                    if not open_:
                        continue
                    original = open_[number % len(open_)]
                    expert = session.get_one(Expert, original.expert_id)
                    reversal = make_earning(
                        session,
                        expert,
                        program,
                        -original.amount,
                        at=books.now,
                        reverses=original,
                    )
                    books.reversed_ids.add(original.id)
                    books.earnings.append(reversal)
                else:
                    week = payments_service.week_of(books.now).label
                    books.now = payments_service.parse_week(week).end + timedelta(hours=1)
                    with clock.travel_to(books.now):
                        payments_service.run_payouts(session, week=week)
                        lines = session.scalar(select(func.count()).select_from(PayoutLine))
                        again = payments_service.run_payouts(session, week=week)
                    assert (again.payouts, again.lines) == (0, 0)
                    assert session.scalar(select(func.count()).select_from(PayoutLine)) == lines
                check_books(session, experts)
        finally:
            savepoint.rollback()

    run()
