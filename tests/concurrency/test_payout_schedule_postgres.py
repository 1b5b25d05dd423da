"""Two servers starting at once queue one payout run; two "Settle now" presses pay once."""

import threading
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from gigcx.cli.serve import schedule_recurring_jobs
from gigcx.db.dialect import serialize
from gigcx.db.session import make_engine, unit_of_work
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.payments import service as payments_service
from gigcx.payments.models import Payout, PayoutLine, PayoutRunRecord
from tests.concurrency.conftest import wait_until_blocked
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.payments import make_earning, paid_expert


def test_two_servers_starting_at_once_queue_one_weekly_payout_run(
    committing_database_url: str,
) -> None:
    engine = make_engine(committing_database_url, pool_size=4)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    errors: list[BaseException] = []

    def second_server() -> None:
        try:
            with unit_of_work(factory) as session:
                schedule_recurring_jobs(session)
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    # The first server has queued its jobs but not committed when the second starts.
    first = factory()
    schedule_recurring_jobs(first)
    first.flush()
    thread = threading.Thread(target=second_server)
    thread.start()
    wait_until_blocked(factory, thread, event="advisory")
    first.commit()
    first.close()
    thread.join()

    with factory() as session:
        counts = dict(
            session.execute(
                select(Job.name, func.count())
                .where(Job.status == JobStatus.QUEUED)
                .group_by(Job.name)
            ).all()
        )
    engine.dispose()
    assert errors == []
    assert counts == {
        "audit.seal": 1,
        "channels.helpdesk.tick": 1,
        "channels.community.digest": 1,
        "jobs.purge_finished": 1,
        "payments.alert_hourly_floors": 1,
        "payments.settle_week": 1,
        "payments.watch_demand": 1,
        "planning.forecast": 1,
        "privacy.retention": 1,
        "routing.reconcile_roster": 1,
    }


def test_two_settle_now_presses_at_once_pay_the_week_once(committing_database_url: str) -> None:
    engine = make_engine(committing_database_url, pool_size=5)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    week = payments_service.last_finished_week()
    with unit_of_work(factory) as session:
        brand = make_brand(session, currency="EUR")
        program = make_program(session, brand)
        for amount in ("3.50", "6.00"):
            expert = paid_expert(session, program)
            make_earning(session, expert, program, amount, at=week.start)
        admin = brand_admin(brand)
    runs: list[payments_service.WeeklyRun] = []
    errors: list[BaseException] = []

    def press() -> None:
        try:
            with unit_of_work(factory) as session:
                runs.append(payments_service.settle_now(session, admin))
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    # Both presses are in flight at once, seen waiting on the payout lock held here.
    holder = factory()
    serialize(holder, "payments.payouts")
    presses = [threading.Thread(target=press) for _ in range(2)]
    for thread in presses:
        thread.start()
    wait_until_blocked(factory, presses[0], event="advisory", count=2)
    holder.rollback()
    holder.close()
    for thread in presses:
        thread.join()

    with factory() as session:
        lines = session.scalar(select(func.count()).select_from(PayoutLine))
        total = session.scalar(select(func.sum(Payout.total)))
        records = session.scalar(select(func.count()).select_from(PayoutRunRecord))
    engine.dispose()
    assert errors == []
    assert sorted(run.payouts.payouts for run in runs) == [0, 2]
    assert (lines, total, records) == (2, Decimal("9.50"), 2)
