"""Due work on tickets: SLA checks, resolution after silence, closing."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gigcx.auth.principal import SYSTEM
from gigcx.jobs.registry import handler
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import TicketStatus


@handler("tickets.check_sla")
def check_sla(session: Session, payload: dict[str, Any]) -> None:
    """Record an SLA warning or breach for a ticket whose clock still runs."""
    ticket = tickets_service.lock_ticket(session, SYSTEM, uuid.UUID(payload["ticket_id"]))
    tickets_service.check_sla(
        session, ticket, name=payload["clock"], stage=payload["stage"], since=payload.get("since")
    )


@handler("tickets.resolve_if_silent")
def resolve_if_silent(session: Session, payload: dict[str, Any]) -> None:
    """Resolve a ticket the customer left unanswered for the program's silence window."""
    ticket = tickets_service.lock_ticket(session, SYSTEM, uuid.UUID(payload["ticket_id"]))
    waited_since = datetime.fromisoformat(payload["waiting_since"])
    if ticket.status == TicketStatus.WAITING_ON_CUSTOMER and ticket.waiting_since == waited_since:
        tickets_service.resolve_locked(session, ticket, actor=SYSTEM, reason="customer silent")


@handler("tickets.close_if_resolved")
def close_if_resolved(session: Session, payload: dict[str, Any]) -> None:
    """Close a ticket that stayed resolved through the program's close window."""
    ticket = tickets_service.lock_ticket(session, SYSTEM, uuid.UUID(payload["ticket_id"]))
    resolved_at = datetime.fromisoformat(payload["resolved_at"])
    if ticket.status == TicketStatus.RESOLVED and ticket.resolved_at == resolved_at:
        tickets_service.transition(session, ticket, TicketStatus.CLOSED, actor=SYSTEM)
