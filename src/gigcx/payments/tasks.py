import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.jobs import service as jobs_service
from gigcx.jobs.registry import handler
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments.enums import FeeKind, PayoutTrigger

SURGE_CHECK_EVERY = timedelta(minutes=1)
FLOOR_CHECK_EVERY = timedelta(days=1)


@handler("payments.pay_resolution")
def pay_resolution(session: Session, payload: dict[str, Any]) -> None:
    """Pay the expert who resolved a ticket; a second run finds the entry and adds nothing."""
    payments_service.pay_for_resolution(
        session,
        ticket_id=uuid.UUID(payload["ticket_id"]),
        expert_id=uuid.UUID(payload["expert_id"]),
    )


@handler("payments.earn_fee")
def earn_fee(session: Session, payload: dict[str, Any]) -> None:
    """Pay an onboarding, review, escalation or royalty fee once per source key."""
    payments_service.earn_fee(
        session,
        kind=FeeKind(payload["kind"]),
        expert_id=uuid.UUID(payload["expert_id"]),
        program_id=uuid.UUID(payload["program_id"]),
        source_key=str(payload["source_key"]),
        reference=str(payload["reference"]),
    )


def _rearm_payouts(session: Session, _payload: dict[str, Any]) -> None:
    schedule_weekly_payouts(session)


def _rearm_surge_watch(session: Session, _payload: dict[str, Any]) -> None:
    schedule_surge_watch(session)


def _rearm_floor_checks(session: Session, _payload: dict[str, Any]) -> None:
    schedule_floor_checks(session)


def schedule_weekly_payouts(session: Session) -> None:
    """Make sure the next weekly payout run is queued, once (each run queues the next)."""
    next_week = payments_service.week_of(clock.now()).end
    jobs_service.ensure_queued(
        session, payments_service.PAYOUT_JOB, {}, run_at=next_week + payments_service.PAYOUT_DELAY
    )


@handler(payments_service.PAYOUT_JOB, timeout=timedelta(minutes=30), rearm=_rearm_payouts)
def settle_week(session: Session, payload: dict[str, Any]) -> None:
    """Settle a finished week (the last one unless the payload names it); a rerun adds nothing."""
    week = payload.get("week") or payments_service.last_finished_week().label
    payments_service.run_week(session, week=str(week), trigger=PayoutTrigger.SCHEDULE)
    schedule_weekly_payouts(session)


def schedule_surge_watch(session: Session) -> None:
    """Make sure one surge evaluation is queued (the watch re-queues itself every minute)."""
    jobs_service.ensure_queued(
        session, "payments.watch_demand", {}, run_at=clock.now() + SURGE_CHECK_EVERY
    )


@handler("payments.watch_demand", rearm=_rearm_surge_watch)
def watch_demand(session: Session, payload: dict[str, Any]) -> None:
    """Announce surges where waiting work outruns capacity, then look again in a minute."""
    payments_service.evaluate_surges(session)
    schedule_surge_watch(session)


def schedule_floor_checks(session: Session) -> None:
    """Make sure the daily hourly-floor check is queued (each check queues the next)."""
    jobs_service.ensure_queued(
        session, "payments.alert_hourly_floors", {}, run_at=clock.now() + FLOOR_CHECK_EVERY
    )


@handler("payments.alert_hourly_floors", rearm=_rearm_floor_checks)
def alert_hourly_floors(session: Session, payload: dict[str, Any]) -> None:
    """Alert brands whose program median effective hourly fell below their floor; daily."""
    payments_service.alert_hourly_floors(session)
    schedule_floor_checks(session)
