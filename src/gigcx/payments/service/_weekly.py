"""The weekly pay run: bonuses for the week, then payouts, recorded per brand."""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand
from gigcx.kit import clock
from gigcx.payments.enums import PayoutTrigger
from gigcx.payments.errors import WeekNotOver
from gigcx.payments.models import PayoutRunRecord
from gigcx.payments.service._bonuses import evaluate_bonuses
from gigcx.payments.service._payouts import PayoutRun, Progress, parse_week, run_payouts


@dataclass(frozen=True, slots=True)
class WeeklyRun:
    payouts: PayoutRun
    bonuses: int


def run_week(
    session: Session,
    *,
    week: str,
    brand_id: uuid.UUID | None = None,
    trigger: PayoutTrigger = PayoutTrigger.CLI,
    actor_id: uuid.UUID | None = None,
    progress: Progress | None = None,
) -> WeeklyRun:
    """Pay the week's bonuses and settle its payouts; running it again changes nothing.

    Every brand (or only ``brand_id``) is settled on its own and gets a record of what the run
    did, which the brand's pay page shows. Bonuses earned in a week are written when the week
    is over, so they settle with the next week's payout.
    """
    period = parse_week(week)
    if period.end > clock.now():
        raise WeekNotOver(period.label)
    label = period.label
    bonuses = evaluate_bonuses(session, week=label, brand_id=brand_id)
    brands = (
        [brand_id]
        if brand_id is not None
        else list(session.scalars(select(Brand.id).order_by(Brand.created_at, Brand.id)))
    )
    total = PayoutRun(label)
    for one in brands:
        run = run_payouts(session, week=label, brand_id=one, progress=progress)
        session.add(
            PayoutRunRecord(
                brand_id=one,
                week=label,
                trigger=trigger,
                actor_id=actor_id,
                payouts=run.payouts,
                lines=run.lines,
                totals={currency: str(amount) for currency, amount in run.totals.items()},
                held=run.held,
                carried=run.carried,
            )
        )
        total.add(run)
    session.flush()
    return WeeklyRun(total, len(bonuses))
