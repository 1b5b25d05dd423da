"""Hours and experts for coverage tests, placed relative to the real clock."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from gigcx.experts.models import Expert, ExpertAvailability, PresenceSpan
from gigcx.kit import clock
from gigcx.planning import coverage


def gap_hour() -> int:
    """Noon UTC two days from now, as an hour of the week."""
    return ((clock.now().weekday() + 2) % 7) * 24 + 12


def past_slots(hour: int) -> list[datetime]:
    """The starts of that hour in each of the last four weeks, the latest first."""
    ahead = coverage.next_occurrence(hour, after=coverage.hour_start(clock.now()))
    return [ahead - timedelta(weeks=k) for k in range(1, 5)]


def settle(session: Session, expert: Expert, *, timezone: str = "UTC") -> Expert:
    """An expert who joined five weeks ago, in ``timezone``: every hour observed four times."""
    expert.created_at = clock.now() - timedelta(weeks=5)
    expert.timezone = timezone
    session.flush()
    return expert


def online(session: Session, expert: Expert, *starts: datetime) -> None:
    for start in starts:
        session.add(
            PresenceSpan(expert_id=expert.id, started_at=start, ended_at=start + timedelta(hours=1))
        )
    session.flush()


def states(session: Session, expert: Expert, weekday: int, start: int, end: int) -> None:
    session.add(
        ExpertAvailability(expert_id=expert.id, weekday=weekday, start_hour=start, end_hour=end)
    )
    session.flush()
