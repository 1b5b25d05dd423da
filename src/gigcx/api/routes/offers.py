import uuid

from fastapi import APIRouter

from gigcx.api.deps import ExpertPrincipal, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.routing import service as routing_service
from gigcx.views import expert as expert_views
from gigcx.views.schemas import ExpertOfferRead

router = APIRouter(prefix="/offers", tags=["offers"], responses=ERROR_RESPONSES)


@router.get("")
def my_offers(session: SessionDep, principal: ExpertPrincipal) -> list[ExpertOfferRead]:
    """Your pending offers, soonest deadline first: the ticket's gist (personal data masked as
    the program decides), why it came to you, and what it pays (``pay``: the same amount the
    resolution earns)."""
    return [
        expert_views.offer_read(session, principal, o)
        for o in routing_service.pending_offers_for(session, principal)
    ]


@router.post("/{offer_id}/accept")
def accept(session: SessionDep, principal: ExpertPrincipal, offer_id: uuid.UUID) -> ExpertOfferRead:
    """Take the ticket: it becomes yours and other experts' offers are withdrawn."""
    offer = routing_service.accept_offer(session, principal, offer_id)
    return expert_views.offer_read(session, principal, offer)


@router.post("/{offer_id}/decline")
def decline(
    session: SessionDep, principal: ExpertPrincipal, offer_id: uuid.UUID
) -> ExpertOfferRead:
    """Pass on the ticket; it goes to the next best expert (and you no longer see it)."""
    offer = routing_service.decline_offer(session, principal, offer_id)
    return expert_views.offer_read(session, principal, offer)
