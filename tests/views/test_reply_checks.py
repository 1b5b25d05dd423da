"""The pre-send check never tells an expert whether a guess at masked personal data is right."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.assist.schemas import AssistSettingsUpdate
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.routing import service as routing_service
from gigcx.tickets.models import Offer, Ticket
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket

BODY = "Please call me on +49 30 1234567 or write to ana.lima@example.com."
RIGHT = "I will write to ana.lima@example.com today."
WRONG = "I will write to ana.silva@example.com today."


def assigned(session: Session) -> tuple[Program, Ticket, Principal]:
    program = make_program(session, make_brand(session))
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(
        session, program, body=BODY, customer={"email": "ana.lima@example.com", "name": "Ana"}
    )
    offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
    routing_service.accept_offer(session, as_expert(expert), offer.id)
    return program, ticket, as_expert(expert)


def found(session: Session, principal: Principal, ticket: Ticket, reply: str) -> list[str]:
    return [f.message for f in assist_service.check_reply(session, principal, ticket.id, reply)]


def test_a_right_and_a_wrong_guess_at_a_masked_email_get_the_same_answer(
    session: Session,
) -> None:
    _, ticket, expert = assigned(session)

    right, wrong = found(session, expert, ticket, RIGHT), found(session, expert, ticket, WRONG)

    assert (
        right == wrong == ["the reply contains an email address, which this program masks for you"]
    )


def test_granted_kinds_are_compared_with_what_the_customer_gave(session: Session) -> None:
    program, ticket, expert = assigned(session)
    brand = session.get_one(Brand, program.brand_id)
    assist_service.update_settings(
        session, brand_admin(brand), program.id, AssistSettingsUpdate(granted_pii=["email"])
    )

    right, wrong = found(session, expert, ticket, RIGHT), found(session, expert, ticket, WRONG)
    staff = found(session, brand_admin(brand), ticket, WRONG)

    assert right == []
    assert wrong == staff == ["the reply contains an email address the customer did not give"]
