"""Due work of routing: routing, offer expiry, queue dispatch, escalation after max wait."""

import uuid
from typing import Any

from sqlalchemy.orm import Session

from gigcx.jobs.registry import handler
from gigcx.routing import service as routing_service


@handler("routing.route")
def route(session: Session, payload: dict[str, Any]) -> None:
    """Route one ticket."""
    routing_service.route_ticket(session, uuid.UUID(payload["ticket_id"]))


@handler("routing.expire_offer")
def expire_offer(session: Session, payload: dict[str, Any]) -> None:
    """Expire an unanswered offer and offer the ticket again."""
    routing_service.expire_offer(session, uuid.UUID(payload["offer_id"]))


@handler("routing.dispatch")
def dispatch(session: Session, payload: dict[str, Any]) -> None:
    """Offer a program's queued tickets to experts who have room."""
    routing_service.dispatch(session, uuid.UUID(payload["program_id"]))


@handler("routing.escalate_if_waiting")
def escalate_if_waiting(session: Session, payload: dict[str, Any]) -> None:
    """Escalate a ticket still waiting for an expert after the program's max wait."""
    routing_service.escalate_if_waiting(session, uuid.UUID(payload["ticket_id"]))
