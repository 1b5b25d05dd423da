import uuid

from fastapi import APIRouter

from gigcx.api.deps import ExpertPrincipal, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.routing import service as routing_service
from gigcx.tickets.schemas import OfferRead

router = APIRouter(prefix="/offers", tags=["offers"], responses=ERROR_RESPONSES)


@router.get("")
def my_offers(session: SessionDep, principal: ExpertPrincipal) -> list[OfferRead]:
    """Your pending offers, soonest deadline first, each with why it came to you."""
    return [
        OfferRead.model_validate(o) for o in routing_service.pending_offers_for(session, principal)
    ]


@router.post("/{offer_id}/accept")
def accept(session: SessionDep, principal: ExpertPrincipal, offer_id: uuid.UUID) -> OfferRead:
    """Take the ticket: it becomes yours and other experts' offers are withdrawn."""
    return OfferRead.model_validate(routing_service.accept_offer(session, principal, offer_id))


@router.post("/{offer_id}/decline")
def decline(session: SessionDep, principal: ExpertPrincipal, offer_id: uuid.UUID) -> OfferRead:
    """Pass on the ticket; it goes to the next best expert."""
    return OfferRead.model_validate(routing_service.decline_offer(session, principal, offer_id))
