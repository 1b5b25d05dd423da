"""Make and store the forecasts of programs' arrivals; read them back for a page or the API."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands.errors import ProgramNotFound
from gigcx.brands.models import Program
from gigcx.db.dialect import serialize
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.planning import forecast as model
from gigcx.planning import queries
from gigcx.planning.models import ALL, Forecast, ForecastSeries
from gigcx.planning.series import HourlySeries, program_arrivals, total_of

FORECAST_JOB = "planning.forecast"
PROGRAM_JOB = "planning.forecast_program"
HOUR = timedelta(hours=1)
# History a forecast learns from: long enough for MSTL's weekly smoother, short enough to fit
# a program's series in seconds.
HISTORY_WEEKS = 10
HORIZON_HOURS = 14 * 24
# What the console shows of the past next to the forecast.
SHOWN_HISTORY_DAYS = 28

# Called with (series done, series in all) while a program's series are forecast.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Refresh:
    """What a refresh of one program did."""

    program_id: uuid.UUID
    until: datetime
    series: int
    hours: int
    method: str | None
    is_skipped: bool = False


@dataclass(frozen=True)
class Planning:
    """A program's forecast as the console shows it, with the recent past for comparison."""

    program: Program
    languages: list[str]
    language: str | None
    made_at: datetime | None
    since: datetime
    now: datetime
    history: list[tuple[datetime, int]]
    hours: list[queries.HourPoint]
    series: list[ForecastSeries] = field(default_factory=list)

    @property
    def total(self) -> ForecastSeries | None:
        return next((s for s in self.series if s.is_total), None)


def planned_program(session: Session, principal: Principal, program_id: uuid.UUID) -> Program:
    """Return a program whose forecasts ``principal`` may read, or raise ProgramNotFound."""
    program = session.scalar(queries.planned_programs(principal).where(Program.id == program_id))
    if program is None:
        raise ProgramNotFound()
    return program


def backtest_series(values: Any, *, progress: Progress | None = None) -> model.Backtest | None:
    """A week-ahead backtest; a day-ahead one when the history is too short for that."""
    found = model.backtest(values, progress=progress)
    if found is None:
        found = model.backtest(values, horizon=model.DAY, progress=progress)
    return found


def refresh_program(
    session: Session,
    program_id: uuid.UUID,
    *,
    until: datetime | None = None,
    progress: Progress | None = None,
) -> Refresh:
    """Forecast a program's next 14 days per language and channel, replacing its forecast.

    Learns from up to ten weeks of tickets before ``until`` (the current hour by default). A
    forecast already made up to the same hour is left as it is: the tickets it learnt from
    cannot have changed.
    """
    program = session.get(Program, program_id)
    if program is None:
        raise ProgramNotFound()
    end = model.hour_start(until or clock.now())
    serialize(session, f"planning.forecast:{program.id}")
    latest = queries.program_total(session, program.id)
    if latest is not None and latest.history_start + latest.history_hours * HOUR == end:
        return Refresh(program.id, end, 0, 0, latest.method, is_skipped=True)
    series = program_arrivals(
        session, program.id, since=end - timedelta(weeks=HISTORY_WEEKS), until=end
    )
    session.execute(delete(Forecast).where(Forecast.program_id == program.id))
    session.execute(delete(ForecastSeries).where(ForecastSeries.program_id == program.id))
    total = total_of(series)
    if total is None:
        return Refresh(program.id, end, 0, 0, None)
    made_at = clock.now()
    keyed: list[tuple[str, str, HourlySeries]] = [(ALL, ALL, total)]
    keyed += [(language, channel, found) for (language, channel), found in series.items()]
    rows: list[dict[str, Any]] = []
    methods: list[str] = []
    for done, (language, channel, found) in enumerate(keyed):
        predicted = model.forecast(found.values, found.start, horizon=HORIZON_HOURS)
        methods.append(predicted.method.value)
        checked = backtest_series(found.values)
        session.add(_series_row(program, language, channel, found, predicted, checked, made_at))
        if language != ALL:
            rows += [
                {
                    "brand_id": program.brand_id,
                    "program_id": program.id,
                    "language": language,
                    "channel": channel,
                    "starts_at": hour,
                    "mean": mean,
                    "lower": lower,
                    "upper": upper,
                    "method": predicted.method.value,
                    "made_at": made_at,
                }
                for hour, mean, lower, upper in predicted.rows()
            ]
        if progress is not None:
            progress(done + 1, len(keyed))
    session.execute(insert(Forecast), rows)
    session.flush()
    # The first series is the program's total.
    return Refresh(program.id, end, len(series), HORIZON_HOURS, methods[0])


def _series_row(
    program: Program,
    language: str,
    channel: str,
    found: HourlySeries,
    predicted: model.HourlyForecast,
    checked: model.Backtest | None,
    made_at: datetime,
) -> ForecastSeries:
    return ForecastSeries(
        brand_id=program.brand_id,
        program_id=program.id,
        language=language,
        channel=channel,
        method=predicted.method.value,
        made_at=made_at,
        history_start=found.start,
        history_hours=found.hours,
        arrivals=found.total,
        horizon_hours=predicted.horizon,
        level=predicted.level,
        backtest_horizon=checked.horizon if checked else None,
        backtest_origins=checked.origins if checked else None,
        mae=checked.model.mae if checked else None,
        mase=checked.model.mase if checked else None,
        naive_mae=checked.naive.mae if checked else None,
        naive_mase=checked.naive.mase if checked else None,
        coverage=checked.coverage if checked else None,
    )


def queue_refresh(session: Session, program_id: uuid.UUID, *, until: datetime) -> None:
    """Queue the forecast of one program up to the hour ``until`` (a job, after commit)."""
    payload = {"program_id": str(program_id), "until": model.hour_start(until).isoformat()}
    jobs_service.enqueue(session, PROGRAM_JOB, payload)


def request_refresh(session: Session, principal: Principal, program_id: uuid.UUID) -> Program:
    """Have a program's forecast made again from its tickets up to now, soon, by a job."""
    program = planned_program(session, principal, program_id)
    queue_refresh(session, program.id, until=clock.now())
    return program


def programs_to_forecast(session: Session) -> list[uuid.UUID]:
    """Every program, oldest first (one without recent tickets gets no forecast)."""
    return list(session.scalars(select(Program.id).order_by(Program.created_at, Program.id)))


def refresh_all(
    session: Session, *, until: datetime | None = None, progress: Progress | None = None
) -> list[Refresh]:
    """Refresh every program's forecast up to ``until`` (the current hour by default)."""
    end = model.hour_start(until or clock.now())
    programs = programs_to_forecast(session)
    done = []
    for number, program_id in enumerate(programs):
        done.append(refresh_program(session, program_id, until=end))
        if progress is not None:
            progress(number + 1, len(programs))
    return done


def planning(
    session: Session,
    principal: Principal,
    program_id: uuid.UUID,
    *,
    language: str | None = None,
) -> Planning:
    """A program's stored forecast from the current hour, and its last four weeks' arrivals."""
    program = planned_program(session, principal, program_id)
    now = model.hour_start(clock.now())
    since = now - timedelta(days=SHOWN_HISTORY_DAYS)
    series = queries.program_series(session, program.id)
    languages = sorted({s.language for s in series if not s.is_total})
    chosen = language if language in languages else None
    arrivals = program_arrivals(session, program.id, since=since, until=now)
    counts = [0] * int((now - since) / HOUR)
    for (series_language, _), found in arrivals.items():
        if chosen is None or series_language == chosen:
            offset = int((found.start - since) / HOUR)
            for i, value in enumerate(found.values):
                counts[offset + i] += int(value)
    total = next((s for s in series if s.is_total), None)
    return Planning(
        program=program,
        languages=languages,
        language=chosen,
        made_at=total.made_at if total else None,
        since=since,
        now=now,
        history=[(since + i * HOUR, count) for i, count in enumerate(counts)],
        hours=queries.program_forecast(
            session, program.id, now, now + HORIZON_HOURS * HOUR, language=chosen
        ),
        series=series,
    )
