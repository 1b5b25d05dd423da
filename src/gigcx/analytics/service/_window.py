"""Time windows and the small statistics the KPIs share."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from gigcx.kit import clock

HOUR = timedelta(hours=1)


def floor_to_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open span of time ``[since, until)`` in aware UTC; ``until`` is the "as of" time."""

    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("a window needs aware datetimes; use gigcx.kit.clock.now()")
        if self.since >= self.until:
            raise ValueError("a window must end after it starts")

    @classmethod
    def last_days(cls, days: int, *, at: datetime | None = None) -> "Window":
        """The ``days * 24`` whole hours up to and including the hour that holds ``at``."""
        until = floor_to_hour(at or clock.now()) + HOUR
        return cls(until - timedelta(days=days), until)

    def hours(self) -> list[datetime]:
        """The start of every hour that overlaps the window, oldest first."""
        starts = []
        hour = floor_to_hour(self.since)
        while hour < self.until:
            starts.append(hour)
            hour += HOUR
        return starts


def percentile(values: Sequence[float], share: float) -> float | None:
    """The ``share`` quantile (0..1) with linear interpolation between closest ranks."""
    if not 0 <= share <= 1:
        raise ValueError("share must be between 0 and 1")
    if not values:
        return None
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
