"""The brand dashboard: KPIs with charts, each chart's numbers also as a table."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gigcx.analytics import service as analytics
from gigcx.api.deps import SessionDep
from gigcx.demo import staged
from gigcx.payments import service as payments_service
from gigcx.web.deps import WebStaff, render
from gigcx.web.routes.brand_common import optional_uuid, page_context, programs_of, whole_number

router = APIRouter(include_in_schema=False)

DAY_CHOICES = (1, 7, 14, 30)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def chart_data(board: analytics.Dashboard) -> dict[str, Any]:
    """The numbers the charts draw, as JSON-friendly values (floats are for drawing only)."""
    times = board.times
    sla = board.sla
    escalations = board.escalations
    return {
        "volume": {
            "labels": [h.hour.strftime("%a %d %b %H:00") for h in board.volume],
            "values": [h.tickets for h in board.volume],
        },
        "times": {
            "labels": ["First response", "Resolution"],
            "median": [_minutes(times.first_response.median), _minutes(times.resolution.median)],
            "p90": [_minutes(times.first_response.p90), _minutes(times.resolution.p90)],
        },
        "sla": {
            "labels": ["First response", "Resolution"],
            "values": [_percent(sla.first_response.rate), _percent(sla.resolution.rate)],
        },
        "csat": {
            "labels": [str(score) for score in board.csat.distribution],
            "values": list(board.csat.distribution.values()),
        },
        "escalation": {
            "labels": ["Escalated in house", "Not escalated"],
            "values": [escalations.escalated, escalations.tickets - escalations.escalated],
        },
        "cost": {
            "labels": [f"{c.program_name} ({c.earnings.currency})" for c in board.costs],
            "gig": [
                float(c.per_resolution.amount) if c.per_resolution else None for c in board.costs
            ],
            "inhouse": [
                float(c.inhouse_cost_per_contact.amount) if c.inhouse_cost_per_contact else None
                for c in board.costs
            ],
        },
    }


def daily_totals(board: analytics.Dashboard) -> list[tuple[str, int, str, int]]:
    """Per UTC day: tickets, and the busiest hour with its count."""
    days: dict[str, list[analytics.HourCount]] = {}
    for hour in board.volume:
        days.setdefault(hour.hour.strftime("%a %d %b"), []).append(hour)
    lines = []
    for day, hours in days.items():
        busiest = max(hours, key=lambda h: (h.tickets, -h.hour.timestamp()))
        total = sum(h.tickets for h in hours)
        lines.append((day, total, busiest.hour.strftime("%H:00"), busiest.tickets))
    return lines


@router.get("/brand", response_class=HTMLResponse)
def dashboard(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    program_id: str = "",
    days: str = "",
) -> Response:
    programs = programs_of(session, user)
    chosen = optional_uuid(program_id, label="program")
    if chosen is not None and chosen not in {p.id for p in programs}:
        chosen = None
    span = whole_number(days, default=7, low=1, high=DAY_CHOICES[-1])
    window = analytics.Window.last_days(span)
    board = analytics.dashboard(session, user, window, program_id=chosen)
    context = page_context(
        user,
        board=board,
        charts=chart_data(board),
        daily=daily_totals(board),
        programs=programs,
        program_id=str(chosen or ""),
        days=span,
        day_choices=DAY_CHOICES,
        floor_alerts=[c for c in payments_service.floor_checks(session, user) if c.is_below],
        demo_history=staged.history_progress(session),
    )
    return render(request, "brand/dashboard.html", context)
