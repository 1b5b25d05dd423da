"""Domain events: what happened to a brand's tickets, offers and pay, handed on as one job.

Lower layers say what happened; the channels layer (webhooks, mail, helpdesk connectors,
notifications) decides who hears of it. An event is written in the transaction of the change
that caused it (outbox), so a rollback drops it and a commit can never lose it.
"""

import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from gigcx.jobs import service as jobs_service
from gigcx.kit import clock

EVENT_JOB = "channels.event"


class EventType(StrEnum):
    TICKET_CREATED = "ticket.created"
    TICKET_OFFERED = "ticket.offered"
    TICKET_ASSIGNED = "ticket.assigned"
    # A public answer to the customer by an expert, an in-house agent or the bot.
    TICKET_REPLIED = "ticket.replied"
    TICKET_NOTE_ADDED = "ticket.note_added"
    TICKET_CUSTOMER_REPLIED = "ticket.customer_replied"
    TICKET_WAITING = "ticket.waiting_on_customer"
    TICKET_RESOLVED = "ticket.resolved"
    TICKET_REOPENED = "ticket.reopened"
    TICKET_ESCALATED = "ticket.escalated"
    TICKET_CLOSED = "ticket.closed"
    TICKET_CANCELED = "ticket.canceled"
    TICKET_RATED = "ticket.rated"
    OFFER_ACCEPTED = "offer.accepted"
    OFFER_DECLINED = "offer.declined"
    OFFER_EXPIRED = "offer.expired"
    PAYOUT_CREATED = "payout.created"


def emit(
    session: Session, *, brand_id: uuid.UUID, event_type: EventType, data: dict[str, Any]
) -> None:
    """Hand one event on to the channels once this transaction commits."""
    emit_many(session, brand_id=brand_id, event_type=event_type, items=[data])


def emit_many(
    session: Session,
    *,
    brand_id: uuid.UUID,
    event_type: EventType,
    items: Iterable[dict[str, Any]],
) -> None:
    """Hand on one event per item, all of one type, in a single job."""
    occurred_at = clock.now().isoformat()
    events = [
        {"type": event_type.value, "occurred_at": occurred_at, "data": data} for data in items
    ]
    if events:
        jobs_service.enqueue(session, EVENT_JOB, {"brand_id": str(brand_id), "events": events})
