"""Reading stored forecasts: per series, summed over a program's languages and channels."""

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.brands.queries import readable_programs
from gigcx.planning.models import ALL, Forecast, ForecastSeries

ArrivalKey = tuple[str, str, datetime]  # (language, channel, hour)


@dataclass(frozen=True)
class HourPoint:
    """Expected arrivals in the hour from ``starts_at``, with the band around them."""

    starts_at: datetime
    mean: float
    lower: float
    upper: float


def planned_programs(principal: Principal) -> Select[Program]:
    """The programs whose planning ``principal`` may read: its brand's, for brand staff.

    Experts browse the open programs, never their forecasts.
    """
    statement = readable_programs(principal)
    if principal.is_brand_staff or principal.is_platform_admin or principal.is_system:
        return statement
    return statement.where(false())


def readable_forecasts(principal: Principal) -> Select[Forecast]:
    """The forecasts of the programs ``principal`` may plan."""
    programs = planned_programs(principal).with_only_columns(Program.id)
    return select(Forecast).where(Forecast.program_id.in_(programs.scalar_subquery()))


def forecasts_between(
    program_id: uuid.UUID, start: datetime, end: datetime, *, language: str | None = None
) -> Select[Forecast]:
    """A program's stored forecast hours in [``start``, ``end``), in hour order."""
    statement = (
        select(Forecast)
        .where(
            Forecast.program_id == program_id,
            Forecast.starts_at >= start,
            Forecast.starts_at < end,
        )
        .order_by(Forecast.starts_at, Forecast.language, Forecast.channel)
    )
    if language is not None:
        statement = statement.where(Forecast.language == language)
    return statement


def expected_arrivals(
    session: Session, program_id: uuid.UUID, start: datetime, end: datetime
) -> dict[ArrivalKey, float]:
    """Expected arrivals (the forecast mean) per language, channel and hour in [start, end).

    Hours without a stored forecast are absent (read them as no forecast, not as zero).
    """
    rows = session.execute(
        select(Forecast.language, Forecast.channel, Forecast.starts_at, Forecast.mean).where(
            Forecast.program_id == program_id,
            Forecast.starts_at >= start,
            Forecast.starts_at < end,
        )
    )
    return {(language, channel, hour): mean for language, channel, hour, mean in rows}


def summed(rows: Iterable[Forecast]) -> list[HourPoint]:
    """Sum forecast rows per hour: means add; bands combine as independent errors.

    Each series' band is taken as the normal quantiles of its error on either side of its mean
    (widened to whole tickets, so a little wide); the sum's half-widths are the root of the
    summed squares (a lower side cut at zero stays cut), so the sum's band holds about the same
    share of outcomes as each series' band.
    """
    means: dict[datetime, float] = defaultdict(float)
    below: dict[datetime, float] = defaultdict(float)
    above: dict[datetime, float] = defaultdict(float)
    for row in rows:
        means[row.starts_at] += row.mean
        below[row.starts_at] += (row.mean - row.lower) ** 2
        above[row.starts_at] += (row.upper - row.mean) ** 2
    return [
        HourPoint(
            starts_at=hour,
            mean=means[hour],
            lower=max(means[hour] - math.sqrt(below[hour]), 0.0),
            upper=means[hour] + math.sqrt(above[hour]),
        )
        for hour in sorted(means)
    ]


def program_forecast(
    session: Session,
    program_id: uuid.UUID,
    start: datetime,
    end: datetime,
    *,
    language: str | None = None,
) -> list[HourPoint]:
    """A program's forecast per hour in [start, end), summed over its channels and languages
    (or over the channels of one ``language``)."""
    return summed(session.scalars(forecasts_between(program_id, start, end, language=language)))


def forecast_by_language(
    session: Session, program_id: uuid.UUID, start: datetime, end: datetime
) -> dict[str, list[HourPoint]]:
    """A program's forecast per language and hour in [start, end), summed over channels."""
    rows: dict[str, list[Forecast]] = defaultdict(list)
    for row in session.scalars(forecasts_between(program_id, start, end)):
        rows[row.language].append(row)
    return {language: summed(found) for language, found in sorted(rows.items())}


def program_series(session: Session, program_id: uuid.UUID) -> list[ForecastSeries]:
    """The latest forecast's series of a program: all its tickets first, then by language."""
    rows = session.scalars(
        select(ForecastSeries).where(ForecastSeries.program_id == program_id)
    ).all()
    return sorted(rows, key=lambda s: (not s.is_total, s.language, s.channel))


def program_total(session: Session, program_id: uuid.UUID) -> ForecastSeries | None:
    """The series of all a program's tickets in its latest forecast, if there is one."""
    return session.scalar(
        select(ForecastSeries).where(
            ForecastSeries.program_id == program_id,
            ForecastSeries.language == ALL,
            ForecastSeries.channel == ALL,
        )
    )
