"""The job runner settles each week: `gigcx serve` queues the run once; runs are per brand."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.cli.serve import schedule_recurring_jobs
from gigcx.errors import PermissionDenied
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments import tasks as payments_tasks
from gigcx.payments.models import Payout, PayoutLine, PayoutRunRecord
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.payments import add_payout_method, make_earning, paid_expert
from tests.factories.tickets import run_jobs

# A Thursday in ISO week 2026-W49; the week ends on Monday 2026-12-07.
NOW = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
IN_W48 = datetime(2026, 11, 25, 12, tzinfo=UTC)


def queued(session: Session) -> list[tuple[str, datetime]]:
    rows = session.execute(
        select(Job.name, Job.run_at).where(Job.status == JobStatus.QUEUED).order_by(Job.name)
    ).all()
    return [(name, run_at) for name, run_at in rows]


def test_serve_queues_each_recurring_job_once_however_often_it_starts(session: Session) -> None:
    with clock.travel_to(NOW):
        schedule_recurring_jobs(session)
        schedule_recurring_jobs(session)
        session.flush()

    names = [name for name, _ in queued(session)]
    assert names == [
        "audit.seal",
        "channels.community.digest",
        "channels.helpdesk.tick",
        "jobs.purge_finished",
        "payments.alert_hourly_floors",
        "payments.settle_week",
        "payments.watch_demand",
        "planning.forecast",
        "privacy.retention",
        "routing.reconcile_roster",
    ]
    assert [at for name, at in queued(session) if name == "payments.settle_week"] == [
        datetime(2026, 12, 7, 0, 30, tzinfo=UTC)
    ]


def test_a_restart_after_downtime_keeps_the_overdue_run_as_the_only_one(session: Session) -> None:
    overdue = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)
    with clock.travel_to(overdue - timedelta(days=3)):
        payments_tasks.schedule_weekly_payouts(session)
    with clock.travel_to(NOW):
        schedule_recurring_jobs(session)
        session.flush()

    assert [at for name, at in queued(session) if name == "payments.settle_week"] == [overdue]


def test_the_scheduled_run_settles_every_brand_records_it_and_queues_the_next(
    session: Session, factory: sessionmaker[Session]
) -> None:
    paying, other = make_brand(session, currency="EUR"), make_brand(session, currency="EUR")
    program, elsewhere = make_program(session, paying), make_program(session, other)
    ana, bo = paid_expert(session, program), make_expert(session, programs=[program])
    cy = paid_expert(session, elsewhere)
    make_earning(session, ana, program, "3.50", at=IN_W48)
    make_earning(session, bo, program, "2.00", at=IN_W48)
    make_earning(session, cy, elsewhere, "6.00", at=IN_W48)
    with clock.travel_to(datetime(2026, 11, 30, 0, 30, tzinfo=UTC)):
        payments_tasks.schedule_weekly_payouts(session)
        session.commit()
    with clock.travel_to(datetime(2026, 12, 7, 0, 31, tzinfo=UTC)):
        stats = run_jobs(factory)

    records = session.scalars(
        select(PayoutRunRecord).order_by(PayoutRunRecord.brand_id == other.id)
    ).all()
    # The run, and for each paying brand the job that hands its payout.created events on.
    assert (stats.done, stats.failed) == (3, 0)
    assert [(r.brand_id, r.week, r.trigger, r.payouts, r.totals, r.held) for r in records] == [
        (paying.id, "2026-W49", "schedule", 1, {"EUR": "3.50"}, 1),
        (other.id, "2026-W49", "schedule", 1, {"EUR": "6.00"}, 0),
    ]
    assert queued(session) == [("payments.settle_week", datetime(2026, 12, 14, 0, 30, tzinfo=UTC))]


def in_house_agent(admin: Principal) -> Principal:
    return Principal(role=Role.INHOUSE_AGENT, brand_id=admin.brand_id)


def test_settle_now_pays_only_the_brand_once_and_only_for_its_admins(session: Session) -> None:
    paying, other = make_brand(session, currency="EUR"), make_brand(session, currency="EUR")
    program, elsewhere = make_program(session, paying), make_program(session, other)
    ana, cy = paid_expert(session, program), paid_expert(session, elsewhere)
    make_earning(session, ana, program, "3.50", at=IN_W48)
    make_earning(session, cy, elsewhere, "6.00", at=IN_W48)
    admin = brand_admin(paying)

    with clock.travel_to(NOW):
        first = payments_service.settle_now(session, admin)
        second = payments_service.settle_now(session, admin)
        with pytest.raises(PermissionDenied):
            payments_service.settle_now(session, in_house_agent(admin))
        schedule = payments_service.payout_schedule(session, admin)

    assert (first.payouts.week, first.payouts.payouts, first.payouts.totals) == (
        "2026-W48",
        1,
        {"EUR": Decimal("3.50")},
    )
    assert (second.payouts.payouts, second.payouts.lines) == (0, 0)
    assert session.scalars(select(Payout.brand_id)).all() == [paying.id]
    assert session.scalar(select(func.count()).select_from(PayoutLine)) == 1
    assert schedule.last_run is not None
    assert (schedule.last_run.trigger, schedule.last_run.payouts) == ("manual", 0)
    assert schedule.next_run_at is None


def test_a_held_expert_is_paid_by_the_next_run_after_entering_a_method(session: Session) -> None:
    program = make_program(session, make_brand(session, currency="EUR"))
    expert = make_expert(session, programs=[program])
    make_earning(session, expert, program, "3.50", at=IN_W48)

    with clock.travel_to(NOW):
        held = payments_service.run_payouts(session, week="2026-W48")
        add_payout_method(session, expert)
        paid = payments_service.run_payouts(session, week="2026-W48")

    assert (held.payouts, held.held_experts) == (0, {expert.id})
    assert (paid.payouts, paid.lines, paid.held) == (1, 1, 0)
