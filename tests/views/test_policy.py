"""One policy decides what each viewer sees of a ticket: masking, internal notes, how much."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.assist.schemas import AssistSettingsUpdate
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.errors import TicketNotFound
from gigcx.tickets.models import Offer, Ticket
from gigcx.views.policy import Viewer, sight_of
from tests.factories.brands import brand_admin, brand_api, make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket

BODY = "I'm Ana Lima, mail ana@example.com or call 030 1234 5678 about my order."


def offer_of(session: Session, ticket: Ticket, expert: Expert) -> Offer:
    return session.scalars(
        select(Offer).where(Offer.ticket_id == ticket.id, Offer.expert_id == expert.id)
    ).one()


def bodies(session: Session, principal: object, ticket: Ticket) -> list[str]:
    sight = sight_of(session, principal, ticket)  # type: ignore[arg-type]
    return [m.body for m in sight.messages(ticket)]


def test_experts_see_personal_data_masked_unless_the_program_grants_it(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(
        session, program, body=BODY, customer={"email": "ana@example.com", "name": "Ana Lima"}
    )

    masked = sight_of(session, as_expert(expert), ticket)
    assist_service.update_settings(
        session, brand_admin(brand), program.id, AssistSettingsUpdate(granted_pii=["email"])
    )
    granted = sight_of(session, as_expert(expert), ticket)
    staff = sight_of(session, brand_admin(brand), ticket)

    assert [m.body for m in masked.messages(ticket)] == [
        "I'm [name], mail [email] or call [phone] about my order."
    ]
    assert [m.body for m in granted.messages(ticket)] == [
        "I'm [name], mail ana@example.com or call [phone] about my order."
    ]
    assert [m.body for m in staff.messages(ticket)] == [BODY]
    assert (masked.customer_name, masked.customer_email) == ("Ana", None)
    assert (granted.customer_name, granted.customer_email) == ("Ana", "ana@example.com")
    assert (staff.viewer, staff.customer_name, staff.customer_email) == (
        Viewer.BRAND,
        "Ana Lima",
        "ana@example.com",
    )


def test_every_text_is_masked_for_experts_whoever_wrote_it(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(
        session, program, customer={"email": "ana@example.com", "name": "Ana Lima"}
    )
    routing_service.accept_offer(session, as_expert(expert), offer_of(session, ticket, expert).id)
    tickets_service.reply(
        session,
        brand_admin(brand),
        ticket.id,
        "Ana's other mail is ana@work.example",
        is_internal=True,
    )
    tickets_service.reply(
        session,
        as_expert(expert),
        ticket.id,
        "Hi Ana, I'll call +44 20 7946 0958.",
        is_internal=False,
    )

    shown = bodies(session, as_expert(expert), ticket)

    assert shown[1:] == ["[name]'s other mail is [email]", "Hi [name], I'll call [phone]."]


def test_an_expert_sees_internal_notes_only_once_they_hold_the_ticket(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(session, program, body="Where is my parcel?")
    tickets_service.reply(session, brand_admin(brand), ticket.id, "VIP customer", is_internal=True)

    offered = bodies(session, as_expert(expert), ticket)
    routing_service.accept_offer(session, as_expert(expert), offer_of(session, ticket, expert).id)
    holding = bodies(session, as_expert(expert), ticket)

    assert offered == ["Where is my parcel?"]
    assert holding == ["Where is my parcel?", "VIP customer"]


def test_after_the_assignment_ends_an_expert_sees_the_conversation_up_to_its_end_only(
    session: Session,
) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    start = clock.now()
    with clock.travel_to(start):
        ticket = make_ticket(session, program, body="My order is late.")
        routing_service.accept_offer(
            session, as_expert(expert), offer_of(session, ticket, expert).id
        )
        tickets_service.escalate(session, as_expert(expert), ticket.id, reason="needs a refund")
    with clock.travel_to(start + timedelta(minutes=5)):
        tickets_service.reply(
            session, brand_admin(brand), ticket.id, "Refund sent to your bank.", is_internal=False
        )
        tickets_service.reply(
            session, brand_admin(brand), ticket.id, "Customer threatened to sue.", is_internal=True
        )

    shown = bodies(session, as_expert(expert), ticket)
    readable = tickets_service.get_ticket(session, as_expert(expert), ticket.id)

    assert shown == ["My order is late."]
    assert readable.id == ticket.id


@pytest.mark.parametrize("ending", ["declined", "expired", "rescinded"])
def test_an_offer_that_ended_without_an_assignment_shows_nothing(
    session: Session, ending: str
) -> None:
    brand = make_brand(session)
    program = make_program(session, brand, offers_at_once=2)
    expert, other = (
        make_expert(session, programs=[program]),
        make_expert(session, programs=[program]),
    )
    ticket = make_ticket(session, program, body="Card 4111 1111 1111 1111 was charged twice.")
    offer = offer_of(session, ticket, expert)
    before = tickets_service.get_ticket(session, as_expert(expert), ticket.id)
    if ending == "declined":
        routing_service.decline_offer(session, as_expert(expert), offer.id)
    elif ending == "expired":
        with clock.travel_to(offer.expires_at + timedelta(seconds=1)):
            routing_service.expire_offer(session, offer.id)
    else:
        routing_service.accept_offer(session, as_expert(other), offer_of(session, ticket, other).id)

    with pytest.raises(TicketNotFound):
        tickets_service.get_ticket(session, as_expert(expert), ticket.id)
    sight = sight_of(session, as_expert(expert), ticket)
    assert before.id == ticket.id
    assert (sight.shows_conversation, sight.messages(ticket)) == (False, [])


def test_a_pending_offer_past_its_deadline_no_longer_lets_the_expert_read(
    session: Session,
) -> None:
    program = make_program(session, make_brand(session))
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(session, program)
    offer = offer_of(session, ticket, expert)

    late = offer.expires_at + timedelta(seconds=1)
    with clock.travel_to(late), pytest.raises(TicketNotFound):
        tickets_service.get_ticket(session, as_expert(expert), ticket.id)


def test_the_customer_sees_their_conversation_unmasked_without_internal_notes(
    session: Session,
) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    ticket = make_ticket(session, program, route=False, body=BODY)
    tickets_service.reply(session, brand_admin(brand), ticket.id, "check fraud", is_internal=True)
    customer = tickets_service.customer_of(ticket)

    sight = sight_of(session, customer, ticket)

    assert sight.viewer == Viewer.CUSTOMER
    assert [m.body for m in sight.messages(ticket)] == [BODY]


def test_another_brand_sees_nothing(session: Session) -> None:
    program = make_program(session, make_brand(session))
    ticket = make_ticket(session, program, route=False, body=BODY)
    stranger = brand_api(make_brand(session))

    sight = sight_of(session, stranger, ticket)

    assert (sight.viewer, sight.messages(ticket), sight.text(BODY)) == (
        Viewer.NOBODY,
        [],
        "I'm [name], mail [email] or call [phone] about my order.",
    )


def test_card_numbers_are_stored_as_their_last_four_digits(session: Session) -> None:
    program = make_program(session, make_brand(session))
    ticket = make_ticket(
        session,
        program,
        route=False,
        body="My card 4111 1111 1111 1111 was charged twice, and 5500-0000-0000-0004 too.",
    )
    session.expire_all()

    stored = session.get_one(Ticket, ticket.id)

    assert stored.messages[0].body == (
        "My card [card ending 1111] was charged twice, and [card ending 0004] too."
    )
    assert stored.subject == (
        "My card [card ending 1111] was charged twice, and [card ending 0004] too."
    )
