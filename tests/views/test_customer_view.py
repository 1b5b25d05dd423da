"""What a customer sees of their ticket: one view, worded in the ticket's language."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand, Program
from gigcx.experts.models import Expert
from gigcx.quality.enums import RatingReason
from gigcx.quality.models import Rating
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.models import Ticket
from gigcx.views import customer as customer_views
from gigcx.views import i18n
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket

CUSTOMER_TEXT = "My card was charged twice for order 1042."
REPLY = "Sorry about that: the second charge is refunded today."
NOTE = "Internal: customer threatened a chargeback, keep it short."


def held_ticket(session: Session, *, language: str = "en") -> tuple[Program, Expert, Ticket]:
    """A ticket in ``language`` accepted by an expert of a program serving en, es, fr, de, it."""
    brand = make_brand(session)
    program = make_program(session, brand, languages=("en", "es", "fr", "de", "it"))
    expert = make_expert(session, programs=[program], languages={language: 5})
    ticket = make_ticket(session, program, language=language, body=CUSTOMER_TEXT)
    offer = routing_service.pending_offers_for(session, as_expert(expert))[0]
    routing_service.accept_offer(session, as_expert(expert), offer.id)
    return program, expert, ticket


def test_the_view_shows_the_conversation_without_internal_notes(session: Session) -> None:
    program, expert, ticket = held_ticket(session)
    tickets_service.reply(session, as_expert(expert), ticket.id, REPLY, is_internal=False)
    tickets_service.reply(session, as_expert(expert), ticket.id, NOTE, is_internal=True)

    view = customer_views.customer_ticket(session, ticket)

    brand_name = session.get_one(Brand, program.brand_id).name
    assert [m.body for m in view.messages] == [CUSTOMER_TEXT, REPLY]
    assert [m.author for m in view.messages] == ["You", f"{brand_name} support"]
    assert [m.is_own for m in view.messages] == [True, False]
    assert view.status == TicketStatus.ASSIGNED
    assert view.status_text == "An expert is writing to you"
    assert view.can_reply is True
    assert view.rating.can_rate is False


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (TicketStatus.NEW, "We have your message and are reading it"),
        (TicketStatus.QUEUED, "We're looking for the right person to help you"),
        (TicketStatus.OFFERED, "We're looking for the right person to help you"),
        (TicketStatus.ASSIGNED, "An expert is writing to you"),
        (TicketStatus.WAITING_ON_CUSTOMER, "Waiting for your reply"),
        (TicketStatus.ESCALATED, "Our support team is looking into it"),
        (TicketStatus.RESOLVED, "Solved"),
        (TicketStatus.CLOSED, "Solved and closed"),
        (TicketStatus.CANCELED, "Closed"),
    ],
)
def test_every_status_has_words_a_customer_understands(status: TicketStatus, words: str) -> None:
    assert customer_views.status_words(status, "en") == words


def test_a_pending_bot_answer_asks_the_customer_whether_it_helped() -> None:
    text = customer_views.status_words(TicketStatus.RESOLVED, "en", bot_pending=True)

    assert text == "We sent you an answer: tell us whether it solved your question"


@pytest.mark.parametrize(
    ("language", "waiting", "assigned"),
    [
        ("es", "Esperando tu respuesta", "Un experto te está escribiendo"),
        ("fr", "En attente de votre réponse", "Un expert vous écrit"),
        ("de", "Wir warten auf Ihre Antwort", "Eine Expertin oder ein Experte schreibt Ihnen"),
    ],
)
def test_the_view_speaks_the_tickets_language(
    session: Session, language: str, waiting: str, assigned: str
) -> None:
    _, expert, ticket = held_ticket(session, language=language)

    view = customer_views.customer_ticket(session, ticket)
    tickets_service.mark_waiting(session, as_expert(expert), ticket.id)
    later = customer_views.customer_ticket(session, ticket)

    assert (view.language, view.status_text) == (language, assigned)
    assert (later.language, later.status_text) == (language, waiting)
    assert view.messages[0].author == i18n.MESSAGES[language]["author.you"]


def test_a_language_without_words_falls_back_to_english(session: Session) -> None:
    _, _, ticket = held_ticket(session, language="it")

    view = customer_views.customer_ticket(session, ticket)

    assert (view.language, view.status_text) == ("en", "An expert is writing to you")


def test_the_rating_state_follows_the_ticket_and_a_rating_without_reason(
    session: Session,
) -> None:
    program, expert, ticket = held_ticket(session)
    tickets_service.resolve(session, as_expert(expert), ticket.id)
    before = customer_views.customer_ticket(session, ticket).rating
    session.add(
        Rating(
            ticket_id=ticket.id,
            brand_id=program.brand_id,
            program_id=program.id,
            expert_id=expert.id,
            score=4,
            reason=RatingReason.NOT_GIVEN,
            created_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        )
    )
    session.flush()

    after = customer_views.customer_ticket(session, ticket).rating

    assert (before.can_rate, before.score, before.reason) == (True, None, None)
    assert (after.can_rate, after.score, after.reason) == (False, 4, None)
    assert after.thanks == "Thank you: you rated this conversation 4 out of 5."


def test_the_reasons_to_pick_are_worded_and_leave_out_not_given() -> None:
    choices = dict(customer_views.reason_choices("fr"))

    assert len(choices) == len(RatingReason) - 1
    assert RatingReason.NOT_GIVEN.value not in choices
    assert choices["wrong_answer"] == "La réponse était fausse"


def test_every_language_has_every_message_of_english() -> None:
    for language, table in i18n.MESSAGES.items():
        assert set(table) == set(i18n.EN), language
    assert {"en", "es", "fr", "de"} <= set(i18n.LANGUAGES)


def test_the_page_language_is_chosen_from_what_the_program_serves() -> None:
    offered = ["en", "es", "de"]

    assert i18n.negotiate(offered, "de", "es-ES,es;q=0.9") == "de"
    assert i18n.negotiate(offered, None, "fr-CH, es;q=0.8, en;q=0.5") == "es"
    assert i18n.negotiate(offered, "it", "it-IT, de-AT;q=0.7") == "de"
    assert i18n.negotiate(offered, None, "fr, es;q=0") == "en"
    assert i18n.negotiate(offered, None, None) == "en"
    assert i18n.page_language("pt_BR") == "pt"
    assert i18n.page_language("it") == "en"


def test_the_private_link_is_absolute_on_the_given_address(session: Session) -> None:
    _, _, ticket = held_ticket(session)

    link = customer_views.private_link(ticket, "https://support.example.com/")

    token = tickets_service.customer_link_token(ticket)
    assert link == f"https://support.example.com/c/{token}"
    assert tickets_service.ticket_for_link(session, token).id == ticket.id
