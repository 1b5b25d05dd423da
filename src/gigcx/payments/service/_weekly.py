"""The weekly pay run: bonuses for the week, then payouts."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from gigcx.payments.service._bonuses import evaluate_bonuses
from gigcx.payments.service._payouts import PayoutRun, Progress, run_payouts


@dataclass(frozen=True, slots=True)
class WeeklyRun:
    payouts: PayoutRun
    bonuses: int


def run_week(session: Session, *, week: str, progress: Progress | None = None) -> WeeklyRun:
    """Pay the week's bonuses and settle its payouts; running it again changes nothing.

    Bonuses earned in a week are written when the week is over, so they settle with the
    next week's payout.
    """
    bonuses = evaluate_bonuses(session, week=week)
    run = run_payouts(session, week=week, progress=progress)
    return WeeklyRun(run, len(bonuses))
