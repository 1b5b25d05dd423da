"""Experts' answers to offers: accept, decline, or let lapse; and what offers were made."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.principal import SYSTEM, Principal
from gigcx.config import get_settings
from gigcx.db.dialect import locked
from gigcx.experts import service as experts_service
from gigcx.jobs import events
from gigcx.kit import clock
from gigcx.routing.errors import OfferExpired, OfferNotPending
from gigcx.routing.service._route import route_locked
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import OfferStatus, TicketStatus
from gigcx.tickets.errors import OfferNotFound
from gigcx.tickets.models import Offer, Ticket
from gigcx.tickets.queries import readable_offers


def _own_offer(session: Session, principal: Principal, offer_id: uuid.UUID) -> Offer:
    offer = session.scalar(readable_offers(principal).where(Offer.id == offer_id))
    if offer is None or offer.expert_id != principal.expert_id:
        raise OfferNotFound()
    return offer


def _lock_offer_and_ticket(session: Session, offer: Offer) -> tuple[Offer, Ticket]:
    # Always the ticket first, then its offers, then the expert: one lock order, no deadlocks.
    ticket = tickets_service.lock_ticket(session, SYSTEM, offer.ticket_id)
    statement = locked(session, select(Offer).where(Offer.id == offer.id))
    fresh = session.scalars(statement.execution_options(populate_existing=True)).one()
    return fresh, ticket


def accept_offer(session: Session, principal: Principal, offer_id: uuid.UUID) -> Offer:
    """Accept an offer: the ticket becomes the expert's; other pending offers are rescinded.

    Accepting an offer one already accepted answers with it again: a retry whose first answer
    was lost learns that it worked.
    """
    offer, ticket = _lock_offer_and_ticket(session, _own_offer(session, principal, offer_id))
    if offer.status == OfferStatus.ACCEPTED:
        return offer
    if offer.status != OfferStatus.PENDING:
        raise OfferNotPending(offer.status)
    now = clock.now()
    if offer.expires_at <= now:
        raise OfferExpired(offer.expires_at.isoformat())
    tickets_service.assign(session, ticket, offer.expert_id, actor=principal)
    experts_service.reset_lapses(session, offer.expert_id)
    offer.status = OfferStatus.ACCEPTED
    offer.responded_at = now
    tickets_service.rescind_pending_offers(session, ticket, keep=offer.id)
    _announce(session, offer, ticket, events.EventType.OFFER_ACCEPTED)
    session.flush()
    return offer


def decline_offer(session: Session, principal: Principal, offer_id: uuid.UUID) -> Offer:
    """Decline an offer; the ticket goes to the next best expert (declining twice is one)."""
    offer, ticket = _lock_offer_and_ticket(session, _own_offer(session, principal, offer_id))
    if offer.status == OfferStatus.DECLINED:
        return offer
    if offer.status != OfferStatus.PENDING:
        raise OfferNotPending(offer.status)
    experts_service.reset_lapses(session, offer.expert_id)
    _close_offer(session, offer, ticket, OfferStatus.DECLINED)
    return offer


def expire_offer(session: Session, offer_id: uuid.UUID) -> None:
    """Expire an offer past its deadline and offer the ticket again.

    The expert's lapse counts: at the platform's limit in a row they are set away.
    """
    offer = session.get(Offer, offer_id)
    if offer is None:
        return
    offer, ticket = _lock_offer_and_ticket(session, offer)
    if offer.status != OfferStatus.PENDING or offer.expires_at > clock.now():
        return
    experts_service.record_lapse(session, offer.expert_id, limit=get_settings().lapses_before_away)
    _close_offer(session, offer, ticket, OfferStatus.EXPIRED)


def _close_offer(session: Session, offer: Offer, ticket: Ticket, status: OfferStatus) -> None:
    offer.status = status
    offer.responded_at = clock.now()
    _announce(
        session,
        offer,
        ticket,
        events.EventType.OFFER_DECLINED
        if status == OfferStatus.DECLINED
        else events.EventType.OFFER_EXPIRED,
    )
    session.flush()
    # The offer held a seat of its expert's capacity: offer them other waiting work.
    experts_service.request_dispatch(session, offer.expert_id)
    if ticket.status == TicketStatus.OFFERED and not tickets_service.pending_offer_count(
        session, ticket.id
    ):
        tickets_service.transition(
            session,
            ticket,
            TicketStatus.QUEUED,
            actor=SYSTEM,
            reason=f"offer {status}",
            data={"expert_id": str(offer.expert_id)},
        )
        route_locked(session, ticket)


def _announce(session: Session, offer: Offer, ticket: Ticket, event_type: events.EventType) -> None:
    events.emit(
        session,
        brand_id=ticket.brand_id,
        event_type=event_type,
        data={
            "offer_id": str(offer.id),
            "ticket_id": str(ticket.id),
            "expert_id": str(offer.expert_id),
        },
    )


def explain(session: Session, principal: Principal, ticket_id: uuid.UUID) -> Sequence[Offer]:
    """Return every offer made for a ticket with its score breakdown, first offer first."""
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    statement = (
        readable_offers(principal)
        .where(Offer.ticket_id == ticket.id)
        .order_by(Offer.created_at, Offer.rank)
    )
    return session.scalars(statement).all()


def pending_offers_for(session: Session, principal: Principal) -> Sequence[Offer]:
    """The signed-in expert's pending offers, soonest deadline first."""
    statement = (
        readable_offers(principal)
        .where(Offer.status == OfferStatus.PENDING, Offer.expires_at > clock.now())
        .order_by(Offer.expires_at)
    )
    return session.scalars(statement).all()
