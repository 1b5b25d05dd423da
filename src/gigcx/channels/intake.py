"""Intake through the API: make the ticket and route it, in the request or in a job runner."""

import uuid
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.auth.principal import Principal
from gigcx.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from gigcx.jobs.registry import handler
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Ticket
from gigcx.tickets.schemas import TicketCreate


def take_in(
    session: Session,
    principal: Principal,
    data: TicketCreate,
    *,
    idempotency_key: str | None,
) -> tuple[Ticket, bool]:
    """Make the ticket and offer it to the best eligible expert, unless triage routes it
    (a program with an intent model); return the ticket and whether it is new."""
    ticket, is_new, is_to_route = _make_ticket(
        session, principal, data, idempotency_key=idempotency_key
    )
    if is_to_route:
        routing_service.route_locked(session, ticket)
    return ticket, is_new


def _make_ticket(
    session: Session,
    principal: Principal,
    data: TicketCreate,
    *,
    idempotency_key: str | None,
    ticket_id: uuid.UUID | None = None,
) -> tuple[Ticket, bool, bool]:
    """Make the ticket; return it, whether it is new and whether to route it now (a program
    with an intent model routes it after triage)."""
    route_after_triage = assist_service.routes_after_triage(session, data.program_id)
    ticket, is_new = tickets_service.create_ticket(
        session,
        principal,
        data,
        idempotency_key=idempotency_key,
        route_after_triage=route_after_triage,
        guess_category=partial(assist_service.guess_category, session, data.program_id),
        ticket_id=ticket_id,
    )
    return ticket, is_new, is_new and not route_after_triage


@handler(tickets_service.TAKE_IN_JOB)
def take_in_inquiry(session: Session, payload: dict[str, Any]) -> None:
    """Make the ticket of a received inquiry and route it; reject one its program no longer
    takes, saying why."""
    opened = tickets_service.open_inquiry(session, uuid.UUID(payload["inquiry_id"]))
    if opened is None:
        return  # taken in or rejected by an earlier run
    inquiry = opened.inquiry
    try:
        ticket, _, is_to_route = _make_ticket(
            session,
            opened.sender,
            opened.data,
            idempotency_key=inquiry.idempotency_key,
            ticket_id=inquiry.id,
        )
    except (InvalidInput, NotFound, Conflict, PermissionDenied) as error:
        # The program changed since the request, or the key's ticket was made with another
        # body: raised before the ticket is written (a new customer's row may stay).
        tickets_service.close_inquiry(session, inquiry, problem=error.detail)
        return
    # Routing's own errors fail the job, ticket and all, and it is tried again.
    if is_to_route:
        routing_service.route_locked(session, ticket)
    tickets_service.close_inquiry(session, inquiry, ticket_id=ticket.id)
