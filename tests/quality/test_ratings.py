import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand
from gigcx.experts.models import Enrollment, Expert
from gigcx.quality import service as quality_service
from gigcx.quality.errors import AlreadyRated, TicketNotRateable
from gigcx.quality.schemas import RatingCreate
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Offer, Ticket
from tests.factories.brands import brand_api, make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket


def resolved(session: Session) -> tuple[Brand, Expert, Ticket]:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(session, program)
    offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
    routing_service.accept_offer(session, as_expert(expert), offer.id)
    tickets_service.resolve(session, as_expert(expert), ticket.id)
    return brand, expert, ticket


def enrollment_totals(session: Session, ticket: Ticket, expert: Expert) -> tuple[int, int]:
    enrollment = session.scalars(
        select(Enrollment).where(
            Enrollment.expert_id == expert.id, Enrollment.program_id == ticket.program_id
        )
    ).one()
    return enrollment.rating_count, enrollment.rating_sum


def test_a_rating_counts_toward_the_expert_who_resolved(session: Session) -> None:
    brand, expert, ticket = resolved(session)

    rating = quality_service.rate_ticket(
        session, brand_api(brand), ticket.id, RatingCreate(score=4, reason="helpful")
    )

    assert rating.expert_id == expert.id
    assert enrollment_totals(session, ticket, expert) == (1, 4)
    with pytest.raises(AlreadyRated):
        quality_service.rate_ticket(
            session, brand_api(brand), ticket.id, RatingCreate(score=1, reason="rude")
        )
    assert enrollment_totals(session, ticket, expert) == (1, 4)


def test_reasons_beyond_the_experts_control_never_count(session: Session) -> None:
    brand, expert, ticket = resolved(session)

    quality_service.rate_ticket(
        session, brand_api(brand), ticket.id, RatingCreate(score=1, reason="shipping")
    )

    assert enrollment_totals(session, ticket, expert) == (0, 0)


def test_open_tickets_cannot_be_rated(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    make_expert(session, programs=[program])
    ticket = make_ticket(session, program)

    with pytest.raises(TicketNotRateable):
        quality_service.rate_ticket(
            session, brand_api(brand), ticket.id, RatingCreate(score=5, reason="fast")
        )
