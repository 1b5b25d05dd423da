"""Hours worked per ISO week (Monday 00:00 UTC to Monday 00:00 UTC), from assignment times."""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gigcx.tickets.models import Assignment, Ticket


def week_start(at: datetime) -> datetime:
    """Monday 00:00 UTC of the ISO week that holds ``at``."""
    day = at.astimezone(UTC).date()
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def week_end(at: datetime) -> datetime:
    """The next Monday 00:00 UTC: when this week's hours start again from zero."""
    return week_start(at) + timedelta(days=7)


def hours_this_week(
    session: Session,
    expert_ids: Iterable[uuid.UUID],
    at: datetime,
    *,
    brand_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, float]:
    """Hours each expert held assignments this week up to ``at`` (for one brand, or all).

    An assignment counts from its start (or Monday 00:00) to its end (or ``at`` while open).
    """
    ids = list(expert_ids)
    if not ids:
        return {}
    start = week_start(at)
    statement = select(Assignment.expert_id, Assignment.started_at, Assignment.ended_at).where(
        Assignment.expert_id.in_(ids),
        Assignment.started_at < at,
        or_(Assignment.ended_at.is_(None), Assignment.ended_at > start),
    )
    if brand_id is not None:
        statement = statement.join(Ticket, Ticket.id == Assignment.ticket_id).where(
            Ticket.brand_id == brand_id
        )
    seconds: dict[uuid.UUID, float] = defaultdict(float)
    for expert_id, started_at, ended_at in session.execute(statement):
        begin = max(started_at, start)
        end = min(ended_at or at, at)
        if end > begin:
            seconds[expert_id] += (end - begin).total_seconds()
    return {expert_id: seconds[expert_id] / 3600 for expert_id in ids}
