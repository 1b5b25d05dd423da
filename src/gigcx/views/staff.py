"""What the brand's people (staff, platform admins) see: the whole ticket, unmasked.

Their sight still comes from the one policy, so a brand's staff never see another brand's
tickets through a view, and card numbers are shown as stored (``[card ending 1234]``).
"""

from sqlalchemy.orm import Session

from gigcx.assist.models import Triage
from gigcx.assist.schemas import TriageRead
from gigcx.auth.principal import Principal
from gigcx.quality.models import Review
from gigcx.tickets.models import Customer, Message, Ticket
from gigcx.tickets.schemas import MessageRead, TicketDetail, TicketRead
from gigcx.views import _shared
from gigcx.views.policy import ShownMessage, review_sight, sight_of


def ticket_read(session: Session, principal: Principal, ticket: Ticket) -> TicketRead:
    return _shared.ticket_read(ticket, sight_of(session, principal, ticket))


def ticket_detail(session: Session, principal: Principal, ticket: Ticket) -> TicketDetail:
    return _shared.ticket_detail(ticket, sight_of(session, principal, ticket))


def message_read(session: Session, principal: Principal, message: Message) -> MessageRead:
    sight = sight_of(session, principal, session.get_one(Ticket, message.ticket_id))
    return _shared.message_read(_shared.shown_message(message, sight))


def conversation(session: Session, principal: Principal, ticket: Ticket) -> list[ShownMessage]:
    """The whole conversation with internal notes (the brand's ticket page)."""
    return sight_of(session, principal, ticket).messages(ticket)


def triage_read(
    session: Session, principal: Principal, triage: Triage, ticket: Ticket
) -> TriageRead:
    """The triage with each span's text read back from the stored first message."""
    return _shared.triage_read(triage, ticket, sight_of(session, principal, ticket))


def review_conversation(
    session: Session, principal: Principal, review: Review
) -> list[ShownMessage]:
    """The reviewed ticket's conversation for a reviewer at the brand, internal notes included."""
    ticket = session.get_one(Ticket, review.ticket_id)
    return review_sight(session, principal, review).messages(ticket)


def undeliverable_notice(session: Session, principal: Principal, ticket: Ticket) -> str | None:
    """ "Mail to this customer bounced: <reason>; ..." when their address bounced for good."""
    customer = session.get_one(Customer, ticket.customer_id)
    return _shared.undeliverable_notice(customer, sight_of(session, principal, ticket))
