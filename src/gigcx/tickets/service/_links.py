"""Customers' private links: a signed ticket id, so nothing secret is stored."""

import uuid

from sqlalchemy.orm import Session

from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.config import get_secret_key
from gigcx.kit import signing
from gigcx.tickets.enums import InquiryStatus
from gigcx.tickets.errors import TicketNotFound
from gigcx.tickets.models import Inquiry, Ticket


def _message(ticket_id: uuid.UUID) -> str:
    return f"customer-link:{ticket_id}"


def customer_link_token(ticket: Ticket | Inquiry) -> str:
    """The token of the customer's private link to follow and answer the ticket (an inquiry's
    link is its ticket's: they share the id)."""
    return f"{ticket.id}.{signing.sign(get_secret_key(), _message(ticket.id))}"


def customer_of(ticket: Ticket) -> Principal:
    """The principal the ticket's customer acts as through their link."""
    return Principal(role=Role.CUSTOMER, brand_id=ticket.brand_id, customer_id=ticket.customer_id)


def _linked_id(token: str) -> uuid.UUID:
    raw_id, _, signature = token.partition(".")
    try:
        ticket_id = uuid.UUID(raw_id)
    except ValueError:
        raise TicketNotFound() from None
    if not signing.verify(get_secret_key(), _message(ticket_id), signature):
        raise TicketNotFound()
    return ticket_id


def inquiry_for_link(session: Session, token: str) -> Inquiry | None:
    """The inquiry a private link stands for while a job runner has yet to make its ticket."""
    inquiry = session.get(Inquiry, _linked_id(token))
    if inquiry is None or inquiry.status != InquiryStatus.RECEIVED:
        return None
    return inquiry


def ticket_for_link(session: Session, token: str) -> Ticket:
    """Return the ticket a private link stands for, or raise TicketNotFound."""
    ticket = session.get(Ticket, _linked_id(token))
    if ticket is None:
        raise TicketNotFound()
    return ticket
