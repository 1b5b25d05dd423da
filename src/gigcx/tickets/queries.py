import re
import uuid

from sqlalchemy import ColumnElement, Select, String, cast, exists, or_, select, true
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.kit import clock
from gigcx.tickets.enums import OfferStatus
from gigcx.tickets.models import Assignment, Customer, Message, Offer, Ticket

SHORT_ID_LENGTH = 8
_SHORT_ID = re.compile(rf"#?([0-9a-f]{{{SHORT_ID_LENGTH}}})")


def readable_tickets(principal: Principal) -> Select[Ticket]:
    """Tickets this principal may read: its brand's, the customer's own, or an expert's offered
    and held ones."""
    statement = select(Ticket)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Ticket.brand_id == principal.brand_id)
    if principal.is_customer:
        return statement.where(
            Ticket.brand_id == principal.brand_id, Ticket.customer_id == principal.customer_id
        )
    if principal.is_expert:
        return statement.where(expert_can_read(principal))
    return statement.where(true().is_(False))


def expert_can_read(principal: Principal) -> ColumnElement[bool]:
    """An expert reads a ticket offered to them now, or one they hold or held.

    A declined, expired or rescinded offer grants nothing: only a pending offer before its
    deadline, or an assignment (current or past; how much of the conversation a past holder
    still sees is the view policy's business).
    """
    pending = select(Offer.ticket_id).where(
        Offer.expert_id == principal.expert_id,
        Offer.status == OfferStatus.PENDING,
        Offer.expires_at > clock.now(),
    )
    held = select(Assignment.ticket_id).where(Assignment.expert_id == principal.expert_id)
    return or_(
        Ticket.assignee_id == principal.expert_id, Ticket.id.in_(pending), Ticket.id.in_(held)
    )


def readable_offers(principal: Principal) -> Select[Offer]:
    """Offers this principal may read: its own, or those on its brand's tickets."""
    statement = select(Offer)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_expert:
        return statement.where(Offer.expert_id == principal.expert_id)
    if principal.is_brand_staff:
        brand_tickets = select(Ticket.id).where(Ticket.brand_id == principal.brand_id)
        return statement.where(Offer.ticket_id.in_(brand_tickets))
    return statement.where(true().is_(False))


def short_id(ticket_id: uuid.UUID) -> str:
    """The ticket's short id shown on pages: the first characters of its id."""
    return ticket_id.hex[:SHORT_ID_LENGTH]


def matching_text(text: str) -> ColumnElement[bool]:
    """Tickets that ``text`` finds, case-insensitively: in the subject, the customer's email or
    name, any message of the conversation, or the ticket's full or short id.

    Combine it with ``readable_tickets``: it matches, it does not scope.
    """
    customers = select(Customer.id).where(
        or_(
            Customer.email.icontains(text, autoescape=True),
            Customer.name.icontains(text, autoescape=True),
        )
    )
    messages = exists().where(
        Message.ticket_id == Ticket.id, Message.body.icontains(text, autoescape=True)
    )
    clauses = [
        Ticket.subject.icontains(text, autoescape=True),
        Ticket.customer_id.in_(customers),
        messages,
    ]
    wanted = text.strip().lower()
    try:
        clauses.append(Ticket.id == uuid.UUID(wanted))
    except ValueError:
        short = _SHORT_ID.fullmatch(wanted)
        if short is not None:
            # Both databases spell an id's first 8 characters the same: SQLite stores 32 hex
            # digits, PostgreSQL's text form starts with the same 8 before its first dash.
            clauses.append(cast(Ticket.id, String).startswith(short.group(1)))
    return or_(*clauses)


def customer_by_email(session: Session, *, brand_id: uuid.UUID, email: str) -> Customer | None:
    """The brand's customer with this email (compared lower-cased and stripped), if any.

    Every lookup of a customer by email goes through here, so how emails are stored (in the
    clear today) can change in this one place.
    """
    return session.scalar(
        select(Customer).where(
            Customer.brand_id == brand_id, Customer.email == email.strip().lower()
        )
    )
