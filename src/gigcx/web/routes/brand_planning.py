"""Planning in the brand console: a program's arrival forecast next to its last four weeks."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from gigcx.api.deps import SessionDep
from gigcx.demo import staged
from gigcx.planning import service as planning_service
from gigcx.planning.forecast import Method
from gigcx.planning.queries import HourPoint
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.routes.brand_common import optional_uuid, page_context, programs_of

router = APIRouter(include_in_schema=False)

HOUR_LABEL = "%a %d %b %H:00"
METHOD_LABELS = {method.value: method.label for method in Method}


@dataclass(frozen=True)
class Day:
    """One UTC day of the forecast: its expected arrivals and its busiest hour."""

    day: date
    hours: int  # under 24 on the first and last day of the forecast
    expected: float
    busiest: HourPoint


def chart_data(board: planning_service.Planning) -> dict[str, Any]:
    """The chart's numbers: the past four weeks, then the forecast with its band."""
    past = len(board.history)
    ahead = len(board.hours)
    blank: list[float | None] = [None] * past
    return {
        "planning": {
            "labels": [hour.strftime(HOUR_LABEL) for hour, _ in board.history]
            + [point.starts_at.strftime(HOUR_LABEL) for point in board.hours],
            "history": [count for _, count in board.history] + [None] * ahead,
            "mean": blank + [round(point.mean, 2) for point in board.hours],
            "lower": blank + [round(point.lower, 2) for point in board.hours],
            "upper": blank + [round(point.upper, 2) for point in board.hours],
        }
    }


def days_of(hours: list[HourPoint]) -> list[Day]:
    """The forecast per UTC day: the sum of the hours' means and the busiest hour."""
    grouped: dict[date, list[HourPoint]] = {}
    for point in hours:
        grouped.setdefault(point.starts_at.date(), []).append(point)
    return [
        Day(
            day=day,
            hours=len(points),
            expected=sum(p.mean for p in points),
            busiest=max(points, key=lambda p: (p.mean, -p.starts_at.timestamp())),
        )
        for day, points in grouped.items()
    ]


def history_days(history: list[tuple[datetime, int]]) -> list[tuple[date, int]]:
    """Arrivals per UTC day of the past shown."""
    totals: dict[date, int] = {}
    for hour, count in history:
        totals[hour.date()] = totals.get(hour.date(), 0) + count
    return list(totals.items())


@router.get("/brand/planning", response_class=HTMLResponse)
def planning_page(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    program_id: str = "",
    language: str = "",
    queued: str = "",
) -> Response:
    programs = programs_of(session, user)
    chosen = optional_uuid(program_id, label="program")
    if chosen not in {p.id for p in programs}:
        chosen = programs[0].id if programs else None
    board = (
        planning_service.planning(session, user, chosen, language=language or None)
        if chosen is not None
        else None
    )
    series = [] if board is None else board.series
    if board is not None and board.language is not None:
        series = [s for s in series if s.is_total or s.language == board.language]
    context = page_context(
        user,
        programs=programs,
        program_id=str(chosen or ""),
        board=board,
        series=series,
        charts=chart_data(board) if board is not None else {},
        days=days_of(board.hours) if board is not None else [],
        past_days=history_days(board.history) if board is not None else [],
        methods=METHOD_LABELS,
        notice="A new forecast is on its way: reload the page in a minute." if queued else None,
        demo_history=staged.history_progress(session),
    )
    return render(request, "brand/planning.html", context)


@router.post("/brand/planning/refresh", dependencies=[CsrfChecked])
def refresh_forecast(
    session: SessionDep, user: WebStaff, program_id: Annotated[str, Form()] = ""
) -> Response:
    """Queue a new forecast of the program from its tickets up to now."""
    chosen = optional_uuid(program_id, label="program")
    if chosen is None:
        return redirect("/brand/planning")
    program = planning_service.request_refresh(session, user, chosen)
    return redirect(f"/brand/planning?program_id={program.id}&queued=1")
