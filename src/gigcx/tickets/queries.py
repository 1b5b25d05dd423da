from sqlalchemy import Select, exists, or_, select, true

from gigcx.auth.principal import Principal
from gigcx.tickets.models import Offer, Ticket


def readable_tickets(principal: Principal) -> Select[Ticket]:
    """Tickets this principal may read: its brand's, or for an expert those offered to them."""
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
        offered = exists().where(
            Offer.ticket_id == Ticket.id, Offer.expert_id == principal.expert_id
        )
        return statement.where(or_(Ticket.assignee_id == principal.expert_id, offered))
    return statement.where(true().is_(False))


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
