"""Hourly arrival series: from a program's tickets, or from a CSV of ``timestamp,count`` rows."""

import csv
import io
import math
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.errors import InvalidInput
from gigcx.planning.forecast import Floats, hour_start
from gigcx.tickets.models import Ticket

HOUR = timedelta(hours=1)
# A CSV may span three years of hours at most; forecasts use the last weeks anyway.
MAX_CSV_HOURS = 3 * 365 * 24

SeriesKey = tuple[str, str]  # (language, channel)


class SeriesUnreadable(InvalidInput):
    """A CSV of counts with a line that is not ``timestamp,count``."""


@dataclass(frozen=True)
class HourlySeries:
    """Counts per hour; ``values[i]`` belongs to the hour starting at ``start + i`` hours."""

    start: datetime
    values: Floats

    @property
    def hours(self) -> int:
        return len(self.values)

    @property
    def end(self) -> datetime:
        """The hour after the last one."""
        return self.start + self.hours * HOUR

    def hour_starts(self) -> list[datetime]:
        return [self.start + i * HOUR for i in range(self.hours)]

    @property
    def total(self) -> int:
        return round(float(np.sum(self.values)))


def _index(moment: datetime, start: datetime) -> int:
    return int((moment - start) // HOUR)


def program_arrivals(
    session: Session, program_id: uuid.UUID, *, since: datetime, until: datetime
) -> dict[SeriesKey, HourlySeries]:
    """Tickets created per hour in [``since``, ``until``), per language and channel.

    Both ends are taken to their hour. Every series of the program covers the same hours, from
    the hour of its first ticket in the period (none before: the program may not have been
    taking tickets) to ``until``; hours without tickets count zero. The language is the one
    the ticket was taken in (and routed by), the channel the one it came through.
    """
    first, end = hour_start(since), hour_start(until)
    rows = session.execute(
        select(Ticket.language, Ticket.channel, Ticket.created_at)
        .where(
            Ticket.program_id == program_id,
            Ticket.created_at >= first,
            Ticket.created_at < end,
        )
        .order_by(Ticket.created_at)
    ).all()
    if not rows:
        return {}
    start = hour_start(rows[0].created_at)
    hours = _index(end, start)
    counts: dict[SeriesKey, Floats] = defaultdict(lambda: np.zeros(hours))
    for language, channel, created_at in rows:
        counts[(language, channel)][_index(created_at, start)] += 1
    return {key: HourlySeries(start, values) for key, values in sorted(counts.items())}


def total_of(series: dict[SeriesKey, HourlySeries]) -> HourlySeries | None:
    """The sum of series that cover the same hours (as ``program_arrivals`` gives them)."""
    if not series:
        return None
    first = next(iter(series.values()))
    values = np.sum([s.values for s in series.values()], axis=0)
    return HourlySeries(first.start, np.asarray(values, dtype=np.float64))


def read_counts_csv(text: str) -> HourlySeries:
    """Read ``timestamp,count`` rows into hourly counts, gaps filled with zero.

    A first line ``timestamp,count`` is a header. Timestamps are ISO 8601; one without a zone
    is UTC. Rows may come in any order and finer than hourly: each counts toward its hour.
    Blank lines are skipped. A line that does not read raises ``SeriesUnreadable`` naming it.
    """
    counts: dict[datetime, float] = defaultdict(float)
    reader = csv.reader(io.StringIO(text))
    for row in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if line == 1 and [c.lower() for c in cells] == ["timestamp", "count"]:
            continue
        if len(cells) != 2:
            raise SeriesUnreadable(
                f"line {line}: expected two values, timestamp,count; found {len(cells)}"
            )
        counts[_hour_of(cells[0], line)] += _count_of(cells[1], line)
    if not counts:
        raise SeriesUnreadable("the file holds no timestamp,count rows")
    start, last = min(counts), max(counts)
    hours = _index(last, start) + 1
    if hours > MAX_CSV_HOURS:
        raise SeriesUnreadable(
            f"the rows span {hours} hours, from {start.isoformat()} to {last.isoformat()}; "
            f"give at most {MAX_CSV_HOURS} (three years)"
        )
    values = np.zeros(hours)
    for hour, count in counts.items():
        values[_index(hour, start)] = count
    return HourlySeries(start, values)


def _hour_of(value: str, line: int) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SeriesUnreadable(
            f"line {line}: {value!r} is not a timestamp; write it as 2026-03-02T14:00:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return hour_start(moment)


def _count_of(value: str, line: int) -> float:
    try:
        count = float(value)
    except ValueError:
        raise SeriesUnreadable(f"line {line}: {value!r} is not a count") from None
    if not math.isfinite(count) or count < 0:
        raise SeriesUnreadable(f"line {line}: the count {value!r} must be zero or more")
    return count
