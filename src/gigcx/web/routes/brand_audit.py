"""The brand's audit log: recent events with filters, and the whole log as CSV (its admins)."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from gigcx.api.deps import SessionDep
from gigcx.api.routes.audit import audit_csv_response
from gigcx.errors import InvalidInput
from gigcx.views import audit as audit_views
from gigcx.web.deps import WebStaff, render
from gigcx.web.routes.brand_common import page_context, require_manager

router = APIRouter(include_in_schema=False)


def _day(value: str, *, name: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"\u201c{name}\u201d must be a date like 2026-12-01") from None


def _range(since: str, until: str) -> tuple[datetime | None, datetime | None]:
    """From the start of ``since`` to the end of ``until`` (both days included), in UTC."""
    first, last = _day(since, name="from"), _day(until, name="to")
    start = datetime.combine(first, time(), UTC) if first else None
    end = datetime.combine(last, time(), UTC) + timedelta(days=1) if last else None
    return start, end


@router.get("/brand/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    since: Annotated[str, Query()] = "",
    until: Annotated[str, Query()] = "",
    action: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """The newest events first; the CSV link downloads every event the filters select."""
    require_manager(user)
    start, end = _range(since, until)
    lines = audit_views.brand_log(
        session, user, since=start, until=end, action=action.strip() or None
    )
    query = urlencode({k: v for k, v in (("since", since), ("until", until)) if v.strip()})
    context = page_context(
        user,
        lines=lines,
        filters={"since": since, "until": until, "action": action},
        limit=audit_views.LOG_LIMIT,
        csv_url="/brand/audit/events.csv" + (f"?{query}" if query else ""),
    )
    return render(request, "brand/audit.html", context)


@router.get("/brand/audit/events.csv")
def audit_csv(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    since: Annotated[str, Query()] = "",
    until: Annotated[str, Query()] = "",
) -> Response:
    """Every event in the chosen days as CSV; the export itself is audited."""
    brand_id = require_manager(user)
    start, end = _range(since, until)
    return audit_csv_response(request, session, user, brand_id, since=start, until=end, via="web")
