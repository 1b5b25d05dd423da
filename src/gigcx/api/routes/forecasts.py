import uuid
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from gigcx.api.deps import BrandStaff, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.errors import InvalidInput
from gigcx.kit import clock
from gigcx.planning import forecast as model
from gigcx.planning import queries as planning_queries
from gigcx.planning import service as planning_service

router = APIRouter(tags=["planning"], responses=ERROR_RESPONSES)

MAX_SPAN = timedelta(days=62)


class ForecastHourRead(BaseModel):
    starts_at: datetime
    # The language these numbers are for; None when summed over the program's languages.
    language: str | None
    mean: float
    lower: float
    upper: float


class ForecastSeriesRead(BaseModel):
    """One series of the latest forecast ("*" for all the program's tickets), with its backtest
    against seasonal naive (the same hour a week before); empty when the history was too
    short for one."""

    model_config = ConfigDict(from_attributes=True)

    language: str
    channel: str
    method: str
    made_at: datetime
    history_start: datetime
    history_hours: int
    arrivals: int
    horizon_hours: int
    level: float
    backtest_horizon: int | None
    backtest_origins: int | None
    mae: float | None
    mase: float | None
    naive_mae: float | None
    naive_mase: float | None
    coverage: float | None


class ProgramForecastRead(BaseModel):
    program_id: uuid.UUID
    start: datetime
    end: datetime
    # When the forecast was made; None when the program has none yet (the nightly run makes it).
    made_at: datetime | None
    hours: list[ForecastHourRead]
    series: list[ForecastSeriesRead]


@router.get("/programs/{program_id}/forecast")
def get_forecast(
    session: SessionDep,
    principal: BrandStaff,
    program_id: uuid.UUID,
    start: Annotated[datetime | None, Query(description="the first hour (ISO 8601)")] = None,
    end: Annotated[datetime | None, Query(description="the hour after the last")] = None,
    language: Annotated[str | None, Query(max_length=8, description="one language only")] = None,
    per_language: Annotated[bool, Query(description="a row per language and hour")] = False,
) -> ProgramForecastRead:
    """Expected tickets per hour from ``start`` (this hour) to ``end`` (14 days on), with the
    band holding 80 % of outcomes, summed over the program's languages and channels (or per
    language, or for one ``language``); and each series' method and backtest."""
    program = planning_service.planned_program(session, principal, program_id)
    if any(moment is not None and moment.tzinfo is None for moment in (start, end)):
        raise InvalidInput("give start and end with their time zone, e.g. 2026-12-20T00:00:00Z")
    first = model.hour_start(start or clock.now())
    last = end or first + timedelta(hours=planning_service.HORIZON_HOURS)
    if not first < last <= first + MAX_SPAN:
        raise InvalidInput(f"end must come after start, by at most {MAX_SPAN.days} days")
    if per_language:
        by_language = planning_queries.forecast_by_language(session, program.id, first, last)
        hours = [
            ForecastHourRead(language=found, **vars(point))
            for found, points in by_language.items()
            if language is None or found == language
            for point in points
        ]
    else:
        points = planning_queries.program_forecast(
            session, program.id, first, last, language=language
        )
        hours = [ForecastHourRead(language=language, **vars(point)) for point in points]
    series = planning_queries.program_series(session, program.id)
    total = next((s for s in series if s.is_total), None)
    return ProgramForecastRead(
        program_id=program.id,
        start=first,
        end=last,
        made_at=total.made_at if total else None,
        hours=hours,
        series=[ForecastSeriesRead.model_validate(s) for s in series],
    )
