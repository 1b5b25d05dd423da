"""Due work of planning: the nightly forecast of every program's arrivals."""

import contextlib
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.brands.errors import ProgramNotFound
from gigcx.jobs import service as jobs_service
from gigcx.jobs.registry import handler
from gigcx.kit import clock
from gigcx.planning import forecast as model
from gigcx.planning import service as planning_service

# Nightly, when the day's tickets are in and few people read the forecasts.
NIGHTLY_AT = time(2, 30)


def next_night(moment: datetime) -> datetime:
    """The first ``NIGHTLY_AT`` (UTC) after ``moment``."""
    candidate = datetime.combine(moment.date(), NIGHTLY_AT, tzinfo=moment.tzinfo)
    return candidate if candidate > moment else candidate + timedelta(days=1)


def schedule_forecasts(session: Session, _payload: dict[str, Any] | None = None) -> None:
    """Make sure the nightly forecast run is queued (each run queues the next)."""
    run_at = next_night(clock.now())
    jobs_service.ensure_queued(session, planning_service.FORECAST_JOB, {}, run_at=run_at)


@handler(planning_service.FORECAST_JOB, timeout=timedelta(minutes=5), rearm=schedule_forecasts)
def forecast_all(session: Session, payload: dict[str, Any]) -> None:
    """Queue a forecast of every program up to the current hour, one job per program."""
    until = model.hour_start(clock.now())
    for program_id in planning_service.programs_to_forecast(session):
        planning_service.queue_refresh(session, program_id, until=until)


@handler(planning_service.PROGRAM_JOB, timeout=timedelta(minutes=10))
def forecast_program(session: Session, payload: dict[str, Any]) -> None:
    """Forecast one program's next 14 days; a forecast up to the same hour is kept as it is."""
    with contextlib.suppress(ProgramNotFound):  # gone since it was queued: nothing to forecast
        planning_service.refresh_program(
            session,
            uuid.UUID(payload["program_id"]),
            until=datetime.fromisoformat(payload["until"]),
        )
