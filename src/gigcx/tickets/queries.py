from sqlalchemy import ColumnElement, Select, or_, select, true

from gigcx.auth.principal import Principal
from gigcx.kit import clock
from gigcx.tickets.enums import OfferStatus
from gigcx.tickets.models import Assignment, Offer, Ticket


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
