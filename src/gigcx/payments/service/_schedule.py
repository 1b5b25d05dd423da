"""The payout schedule as brands see it, "Settle now", and pay held for a missing method."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.errors import PermissionDenied
from gigcx.experts.models import Expert
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit.money import Money, quantize
from gigcx.payments.enums import PayoutTrigger
from gigcx.payments.models import Earning, PayoutMethod, PayoutRunRecord
from gigcx.payments.queries import readable_earnings
from gigcx.payments.service._payouts import is_settled, last_finished_week, week_of
from gigcx.payments.service._weekly import WeeklyRun, run_week

PAYOUT_JOB = "payments.settle_week"
# Payouts run shortly after each ISO week ends (Monday 00:00 UTC), once its last entries landed.
PAYOUT_DELAY = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class LastRun:
    at: datetime
    week: str
    trigger: PayoutTrigger
    payouts: int
    lines: int
    totals: list[Money]
    held: int
    carried: int


@dataclass(frozen=True, slots=True)
class PayoutSchedule:
    """When the job runner settles next, and what the brand's last run did."""

    next_run_at: datetime | None
    # The week the next run settles (the one that has ended by then).
    next_week: str | None
    last_run: LastRun | None
    # Set when the latest scheduled run failed: when it retries, or None if it gave up.
    failed: bool
    retry_at: datetime | None


def _brand_of(principal: Principal) -> uuid.UUID:
    if not principal.is_brand_staff or principal.brand_id is None:
        raise PermissionDenied("the payout schedule is for a brand's staff")
    return principal.brand_id


def payout_schedule(session: Session, principal: Principal) -> PayoutSchedule:
    """The next scheduled payout run, and the last run (scheduled or manual) for the brand."""
    brand_id = _brand_of(principal)
    queued = session.scalars(
        select(Job)
        .where(Job.name == PAYOUT_JOB, Job.status == JobStatus.QUEUED)
        .order_by(Job.run_at, Job.id)
        .limit(1)
    ).first()
    latest_run = session.scalars(
        select(Job)
        .where(Job.name == PAYOUT_JOB, Job.attempts > 0)
        .order_by(Job.created_at.desc(), Job.id)
        .limit(1)
    ).first()
    failed = latest_run is not None and (
        latest_run.status == JobStatus.DEAD
        or (latest_run.status == JobStatus.QUEUED and latest_run.last_error is not None)
    )
    retry_at = (
        latest_run.run_at
        if failed and latest_run is not None and latest_run.status == JobStatus.QUEUED
        else None
    )
    record = session.scalars(
        select(PayoutRunRecord)
        .where(PayoutRunRecord.brand_id == brand_id)
        .order_by(PayoutRunRecord.created_at.desc(), PayoutRunRecord.id)
        .limit(1)
    ).first()
    last = None
    if record is not None:
        last = LastRun(
            at=record.created_at,
            week=record.week,
            trigger=PayoutTrigger(record.trigger),
            payouts=record.payouts,
            lines=record.lines,
            totals=[Money(quantize(Decimal(v)), c) for c, v in sorted(record.totals.items())],
            held=record.held,
            carried=record.carried,
        )
    next_at = queued.run_at if queued is not None else None
    return PayoutSchedule(
        next_run_at=next_at,
        next_week=last_finished_week(next_at).label if next_at is not None else None,
        last_run=last,
        failed=failed,
        retry_at=retry_at,
    )


def settle_now(session: Session, principal: Principal) -> WeeklyRun:
    """Settle the brand's last finished week now; pressing it again pays nothing twice."""
    brand_id = _brand_of(principal)
    if not principal.can_manage_brand:
        raise PermissionDenied("only brand admins settle payouts")
    return run_week(
        session,
        week=last_finished_week().label,
        brand_id=brand_id,
        trigger=PayoutTrigger.MANUAL,
        actor_id=principal.actor_id,
    )


@dataclass(frozen=True, slots=True)
class HeldPay:
    """Approved pay that waits because the expert has no payout method."""

    expert_id: uuid.UUID
    display_name: str
    amount: Money


def held_pay(session: Session, principal: Principal, *, at: datetime) -> list[HeldPay]:
    """Approved, unsettled pay of experts without a payout method that the principal may read."""
    has_method = select(PayoutMethod.expert_id).where(PayoutMethod.expert_id == Earning.expert_id)
    rows = session.execute(
        readable_earnings(principal)
        .join(Expert, Expert.id == Earning.expert_id)
        .where(
            Earning.created_at < week_of(at).start,
            ~is_settled(),
            ~has_method.exists(),
        )
        .with_only_columns(
            Earning.expert_id, Expert.display_name, Earning.currency, func.sum(Earning.amount)
        )
        .group_by(Earning.expert_id, Expert.display_name, Earning.currency)
        .order_by(Expert.display_name, Earning.expert_id, Earning.currency)
    ).all()
    return [
        HeldPay(expert_id, name, Money(quantize(Decimal(total)), currency))
        for expert_id, name, currency, total in rows
        if Decimal(total) > 0
    ]
