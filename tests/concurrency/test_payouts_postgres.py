"""Payout runners racing on PostgreSQL never settle an earning twice."""

import threading
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gigcx.db.dialect import serialize
from gigcx.db.session import make_engine, unit_of_work
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments.models import Earning, Payout, PayoutLine
from tests.concurrency.conftest import wait_until_blocked
from tests.factories.brands import make_brand, make_program
from tests.factories.payments import make_earning, paid_expert

RUNNERS = 4
EXPERTS = 20
EARNINGS_EACH = 15


def _seed(factory: sessionmaker[Session]) -> str:
    week = payments_service.last_finished_week()
    with unit_of_work(factory) as session:
        program = make_program(session, make_brand(session, currency="EUR"))
        for _ in range(EXPERTS):
            expert = paid_expert(session, program)
            for n in range(EARNINGS_EACH):
                at = week.start + timedelta(hours=n + 1)
                make_earning(session, expert, program, Decimal("1.25"), at=at)
    return week.label


def test_concurrent_payout_runs_settle_each_earning_exactly_once(
    committing_database_url: str,
) -> None:
    engine = make_engine(committing_database_url, pool_size=RUNNERS + 3)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    week = _seed(factory)
    runs: list[payments_service.PayoutRun] = []
    errors: list[BaseException] = []

    def runner() -> None:
        try:
            with unit_of_work(factory) as session:
                runs.append(payments_service.run_payouts(session, week=week))
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    # Every runner is in flight at once: each is seen waiting on the payout lock held here,
    # then all are let go together.
    holder = factory()
    serialize(holder, "payments.payouts")
    threads = [threading.Thread(target=runner) for _ in range(RUNNERS)]
    for thread in threads:
        thread.start()
    wait_until_blocked(factory, threads[0], event="advisory", count=RUNNERS)
    holder.rollback()
    holder.close()
    for thread in threads:
        thread.join()

    with factory() as session:
        lines = session.scalar(select(func.count()).select_from(PayoutLine))
        payouts = session.scalar(select(func.count()).select_from(Payout))
        total = session.scalar(select(func.sum(Payout.total)))
    engine.dispose()
    assert errors == []
    assert sorted(run.lines for run in runs) == [0] * (RUNNERS - 1) + [EXPERTS * EARNINGS_EACH]
    assert (lines, payouts, total) == (
        EXPERTS * EARNINGS_EACH,
        EXPERTS,
        Decimal("1.25") * EXPERTS * EARNINGS_EACH,
    )


def test_a_second_settlement_of_an_earning_is_refused_while_the_first_commits(
    committing_database_url: str,
) -> None:
    engine = make_engine(committing_database_url, pool_size=3)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with unit_of_work(factory) as session:
        program = make_program(session, make_brand(session))
        expert = paid_expert(session, program)
        earning = make_earning(session, expert, program, "4.00")
        earning_id, expert_id, brand_id = earning.id, expert.id, program.brand_id

    def payout(session: Session, week: str) -> Payout:
        row = Payout(
            week=week, expert_id=expert_id, brand_id=brand_id, currency="USD", cutoff=clock.now()
        )
        session.add(row)
        session.flush()
        return row

    outcome: list[str] = []
    first = factory()
    first.add(PayoutLine(earning_id=earning_id, payout_id=payout(first, "2026-W01").id, amount=4))
    first.flush()

    def second_runner() -> None:
        with factory() as second:
            try:
                line = PayoutLine(
                    earning_id=earning_id, payout_id=payout(second, "2026-W02").id, amount=4
                )
                second.add(line)
                second.flush()  # waits for the first transaction on the primary key
                second.commit()
                outcome.append("settled")
            except IntegrityError:
                second.rollback()
                outcome.append("refused")

    thread = threading.Thread(target=second_runner)
    thread.start()
    wait_until_blocked(factory, thread)  # the second insert waits on the first's primary key
    first.commit()
    first.close()
    thread.join()

    with factory() as session:
        settled = session.scalar(select(func.count()).where(PayoutLine.earning_id == earning_id))
        amount = session.scalar(select(Earning.amount).where(Earning.id == earning_id))
    engine.dispose()
    assert outcome == ["refused"]
    assert (settled, amount) == (1, Decimal("4.00"))
