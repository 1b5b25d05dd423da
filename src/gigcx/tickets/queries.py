import re
import uuid

from sqlalchemy import ColumnElement, Select, String, cast, false, or_, select, true
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand
from gigcx.kit import clock
from gigcx.privacy import orm
from gigcx.tickets.enums import OfferStatus
from gigcx.tickets.models import Assignment, Customer, Inquiry, Message, Offer, Ticket

SHORT_ID_LENGTH = 8
# Free-text search opens and compares this many of the newest tickets (see matching_text).
SEARCH_SCAN_LIMIT = 2000
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


def readable_inquiries(principal: Principal) -> Select[Inquiry]:
    """Inquiries this principal may read: its brand's (brand staff and API keys)."""
    statement = select(Inquiry)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Inquiry.brand_id == principal.brand_id)
    return statement.where(true().is_(False))


def short_id(ticket_id: uuid.UUID) -> str:
    """The ticket's short id shown on pages: the first characters of its id."""
    return ticket_id.hex[:SHORT_ID_LENGTH]


def customer_by_email(session: Session, *, brand_id: uuid.UUID, email: str) -> Customer | None:
    """The brand's customer with this email (any case), found by its blind index.

    Emails are stored encrypted: this is the one way to find a customer by email.
    """
    index = orm.email_index(session, brand_id, email)
    return session.scalar(
        select(Customer).where(Customer.brand_id == brand_id, Customer.email_index == index)
    )


def matching_text(session: Session, principal: Principal, text: str) -> ColumnElement[bool]:
    """Tickets that ``text`` finds, case-insensitively: a customer's exact email (blind index),
    a ticket's full or short id, or text in the subject, the customer's email or name, or any
    message of the principal's newest ``SEARCH_SCAN_LIMIT`` readable tickets.

    Those texts are encrypted at rest, so the database cannot match them: the newest tickets
    are opened and compared here. Combine it with ``readable_tickets``: it matches, it does not
    scope.
    """
    wanted = text.strip()
    clauses: list[ColumnElement[bool]] = []
    if "@" in wanted:
        brand_ids = (
            [principal.brand_id]
            if principal.brand_id is not None
            else list(session.scalars(select(Brand.id)))
        )
        indexes = [orm.email_index(session, brand_id, wanted) for brand_id in brand_ids]
        customers = select(Customer.id).where(Customer.email_index.in_(indexes))
        clauses.append(Ticket.customer_id.in_(customers))
    lowered = wanted.lower()
    try:
        clauses.append(Ticket.id == uuid.UUID(lowered))
    except ValueError:
        short = _SHORT_ID.fullmatch(lowered)
        if short is not None:
            # Both databases spell an id's first 8 characters the same: SQLite stores 32 hex
            # digits, PostgreSQL's text form starts with the same 8 before its first dash.
            clauses.append(cast(Ticket.id, String).startswith(short.group(1)))
    found = _scan_newest(session, principal, wanted.casefold())
    if found:
        clauses.append(Ticket.id.in_(found))
    return or_(false(), *clauses)


def _scan_newest(session: Session, principal: Principal, needle: str) -> list[uuid.UUID]:
    if not needle:
        return []
    rows = session.execute(
        readable_tickets(principal)
        .join(Customer, Customer.id == Ticket.customer_id)
        .with_only_columns(Ticket.id, Ticket.subject, Customer.id, Customer.email, Customer.name)
        .order_by(Ticket.created_at.desc(), Ticket.id)
        .limit(SEARCH_SCAN_LIMIT)
    ).all()
    found: list[uuid.UUID] = []
    rest: list[uuid.UUID] = []
    for ticket_id, subject, customer_id, email, name in rows:
        texts = (
            orm.open_column(session, Ticket.subject, ticket_id, subject),
            orm.open_column(session, Customer.email, customer_id, email),
            orm.open_column(session, Customer.name, customer_id, name),
        )
        if any(needle in value.casefold() for value in texts):
            found.append(ticket_id)
        else:
            rest.append(ticket_id)
    for start in range(0, len(rest), 500):
        messages = session.execute(
            select(Message.id, Message.ticket_id, Message.body).where(
                Message.ticket_id.in_(rest[start : start + 500])
            )
        ).all()
        hits = {
            ticket_id
            for message_id, ticket_id, body in messages
            if needle in orm.open_column(session, Message.body, message_id, body).casefold()
        }
        found.extend(hits)
    return found
