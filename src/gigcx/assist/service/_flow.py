"""From intake to an expert: triage, then the bot or routing."""

import uuid

from sqlalchemy.orm import Session

from gigcx.assist.service._bot import try_bot_answer
from gigcx.assist.service._triage import triage_ticket
from gigcx.routing import service as routing_service
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.models import Ticket


def triage_and_route(
    session: Session,
    ticket_id: uuid.UUID,
    *,
    route: bool,
    set_priority: bool = True,
    set_complexity: bool = True,
    is_category_chosen: bool = True,
) -> None:
    """Triage a ticket; when routing waited for it, let the bot answer or route the ticket."""
    triage = triage_ticket(
        session,
        ticket_id,
        set_priority=set_priority,
        set_complexity=set_complexity,
        is_category_chosen=is_category_chosen,
    )
    if not route:
        return
    ticket = session.get_one(Ticket, ticket_id)
    if ticket.status != TicketStatus.NEW:
        return
    if try_bot_answer(session, ticket, triage) is None:
        routing_service.route_locked(session, ticket)
