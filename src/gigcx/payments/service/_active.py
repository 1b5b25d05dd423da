"""Active time: the periods an expert was actually working a ticket they held.

An expert works a ticket from accepting it until their reply hands it to the customer, and
again from each customer message until their next reply. A span also ends when the ticket
leaves them (resolved, escalated, reopened elsewhere). Internal notes do not hand the ticket
over. Each span counts at most ``MAX_ACTIVE_SPAN``, so a ticket left open in a forgotten tab
does not count hours, and time waiting for the customer never counts. Spans on tickets held
at once count once (their union).
"""

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from gigcx.tickets.enums import AuthorKind
from gigcx.tickets.models import Assignment, Message

MAX_ACTIVE_SPAN = timedelta(minutes=60)
ACTIVE_TIME_RULE = (
    "Hours count active time only: from accepting a ticket, and from each customer message, "
    "until the expert's next reply to the customer (or until the ticket is resolved or "
    f"escalated), at most {int(MAX_ACTIVE_SPAN.total_seconds() // 60)} minutes each time; "
    "waiting for the customer never counts, and tickets worked at once count once."
)

Interval = tuple[datetime, datetime]


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Join overlapping or touching intervals, so time held on concurrent tickets counts once."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def seconds_of(intervals: Iterable[Interval]) -> int:
    """Seconds covered by the intervals (to the nearest), overlaps counted once."""
    return round(sum((end - start).total_seconds() for start, end in merge_intervals(intervals)))


def working_spans(
    started_at: datetime,
    ended_at: datetime | None,
    events: Iterable[tuple[datetime, bool]],
    *,
    until: datetime,
) -> list[Interval]:
    """The capped working spans of one assignment, from its (time, is_customer) messages."""
    end = min(ended_at, until) if ended_at is not None else until
    spans: list[Interval] = []
    opened: datetime | None = started_at
    # At the same moment, the expert's reply answers what came before the customer's message.
    for at, is_customer in sorted(events, key=lambda e: (e[0], e[1])):
        if at >= end:
            break
        if is_customer:
            # A new message starts a new span; the cap then counts from it.
            if opened is not None:
                spans.append((opened, at))
            opened = at
        elif opened is not None:
            spans.append((opened, at))
            opened = None
    if opened is not None:
        spans.append((opened, end))
    return [(start, min(stop, start + MAX_ACTIVE_SPAN)) for start, stop in spans if stop > start]


def active_intervals(
    session: Session,
    assignment_ids: Select[Any],
    *,
    since: datetime,
    until: datetime,
) -> dict[uuid.UUID, list[Interval]]:
    """The active periods inside [since, until) of each assignment the statement selects.

    ``assignment_ids`` selects ``Assignment.id`` (filtered as the caller needs).
    """
    chosen = assignment_ids.subquery()
    held = session.execute(
        select(Assignment.id, Assignment.started_at, Assignment.ended_at).where(
            Assignment.id.in_(select(chosen.c[0])), Assignment.started_at < until
        )
    ).all()
    if not held:
        return {}
    messages = session.execute(
        select(Assignment.id, Message.created_at, Message.author_kind)
        .join(Message, Message.ticket_id == Assignment.ticket_id)
        .where(
            Assignment.id.in_(select(chosen.c[0])),
            Message.created_at >= Assignment.started_at,
            Message.created_at < func.coalesce(Assignment.ended_at, until),
            Message.created_at < until,
            or_(
                Message.author_kind == AuthorKind.CUSTOMER,
                and_(
                    Message.author_kind == AuthorKind.EXPERT,
                    Message.author_id == Assignment.expert_id,
                    Message.is_internal.is_(False),
                ),
            ),
        )
    ).all()
    events: dict[uuid.UUID, list[tuple[datetime, bool]]] = {}
    for assignment_id, created_at, author_kind in messages:
        events.setdefault(assignment_id, []).append(
            (created_at, author_kind == AuthorKind.CUSTOMER)
        )
    result: dict[uuid.UUID, list[Interval]] = {}
    for assignment_id, started_at, ended_at in held:
        spans = working_spans(started_at, ended_at, events.get(assignment_id, []), until=until)
        clipped = [(max(s, since), min(e, until)) for s, e in spans]
        result[assignment_id] = [(s, e) for s, e in clipped if e > s]
    return result
