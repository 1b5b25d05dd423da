"""A brand's audit events as CSV rows that a spreadsheet opens safely."""

import csv
import io
import json
import uuid
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from gigcx.audit.models import AuditEvent

COLUMNS = (
    "seq",
    "created_at",
    "actor_role",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "data",
    "chain_hash",
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 1000


def neutral(value: str) -> str:
    """The cell as text a spreadsheet shows and never runs: a formula gets a leading quote."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def brand_events(
    brand_id: uuid.UUID,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    action: str | None = None,
) -> Select[AuditEvent]:
    """A brand's events in time order, optionally from ``since`` and before ``until``."""
    statement = select(AuditEvent).where(AuditEvent.brand_id == brand_id)
    if since is not None:
        statement = statement.where(AuditEvent.created_at >= since)
    if until is not None:
        statement = statement.where(AuditEvent.created_at < until)
    if action:
        statement = statement.where(AuditEvent.action.startswith(action, autoescape=True))
    return statement.order_by(AuditEvent.created_at, AuditEvent.id)


def _row(event: AuditEvent) -> list[str]:
    values = [
        "" if event.seq is None else str(event.seq),
        event.created_at.isoformat(),
        event.actor_role,
        str(event.actor_id or ""),
        event.action,
        event.subject_type,
        str(event.subject_id),
        json.dumps(event.data or {}, sort_keys=True, ensure_ascii=False),
        event.chain_hash or "",
    ]
    return [neutral(value) for value in values]


def csv_lines(
    session: Session,
    brand_id: uuid.UUID,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[str]:
    """The header, then one CSV line per event, read in batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield take()
    statement = brand_events(brand_id, since=since, until=until)
    result = session.scalars(statement.execution_options(yield_per=_BATCH))
    try:
        for event in result:
            writer.writerow(_row(event))
            yield take()
    finally:
        result.close()
