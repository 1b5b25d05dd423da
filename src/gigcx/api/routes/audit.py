"""A brand's audit log as CSV, for its admins and admin API keys."""

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from gigcx.api.deps import BrandManager, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.db.dialect import snapshot
from gigcx.db.session import open_session
from gigcx.errors import InvalidInput

router = APIRouter(tags=["audit"], responses=ERROR_RESPONSES)

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The events, oldest first"}
}


@router.get("/audit/events.csv", response_class=StreamingResponse, responses=CSV_RESPONSE)
def export_events(
    request: Request,
    session: SessionDep,
    principal: BrandManager,
    since: Annotated[datetime | None, Query(description="events at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="events before (ISO 8601)")] = None,
) -> StreamingResponse:
    """The brand's audit events as CSV; cells that a spreadsheet would run are quoted."""
    brand_id = principal.brand_id
    assert brand_id is not None
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"{name} needs a time zone, e.g. 2026-12-01T00:00:00Z")
    return audit_csv_response(
        request, session, principal, brand_id, since=since, until=until, via="api"
    )


def audit_csv_response(
    request: Request,
    session: Session,
    principal: Principal,
    brand_id: uuid.UUID,
    *,
    since: datetime | None,
    until: datetime | None,
    via: str,
) -> StreamingResponse:
    """Audit the export, then stream the brand's events as CSV (the API's and the console's)."""
    audit_service.note(
        session,
        actor=principal,
        action="audit.exported",
        subject_type="brand",
        subject_id=brand_id,
        brand_id=brand_id,
        data={"via": via, "since": str(since), "until": str(until)},
    )
    factory = request.app.state.sessionmaker

    def lines() -> Iterator[str]:
        # The request's session is closed once the route returns; the rows stream from their
        # own reading transaction.
        reader = open_session(factory, writes=False)
        try:
            snapshot(reader)
            yield from audit_service.csv_lines(reader, brand_id, since=since, until=until)
        finally:
            reader.close()

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="audit-events.csv"',
            "Cache-Control": "no-store",
        },
    )
