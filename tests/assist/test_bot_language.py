"""The bot answers only in the customer's language, with an answer approved for it."""

import pytest
from sqlalchemy.orm import Session, sessionmaker

from gigcx.assist import service as assist_service
from gigcx.assist.enums import AnswerStatus, BotSkip
from gigcx.assist.models import Answer
from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Program
from gigcx.errors import InvalidInput
from gigcx.tickets.enums import AuthorKind, TicketStatus
from gigcx.tickets.models import Ticket
from tests.factories.assist import make_answer, make_retail_program, write_in
from tests.factories.tickets import run_jobs

SPANISH_EXAMPLES: dict[str, tuple[str, ...]] = {
    "order-status": (
        "¿Dónde está mi pedido? El número de seguimiento no se ha actualizado en días.",
        "Mi paquete no ha llegado todavía, ¿cuándo llega mi pedido?",
        "¿Ya enviaron mi pedido? No tengo noticias del envío.",
        "El seguimiento de mi pedido no se mueve desde hace una semana.",
    ),
    "returns-exchanges": (
        "Quiero devolver unas botas que no me quedan bien.",
        "¿Cómo cambio una chaqueta por otra talla?",
        "Necesito una etiqueta de devolución para mi pedido.",
        "¿Puedo devolver un artículo después de 30 días?",
    ),
}
ENGLISH = "Where is my order? The tracking number has not updated for days."
SPANISH = "¿Dónde está mi pedido? El número de seguimiento no se ha actualizado en días."
SPANISH_ANSWER = (
    "Hola {{customer_name}}, los pedidos salen en 2 días laborables y recibes un correo con el "
    "enlace de seguimiento en cuanto el paquete deja nuestro almacén."
)
ENGLISH_ANSWER = "Hi {{customer_name}}, orders ship within 2 business days with a tracking link."


def bilingual_program(session: Session) -> Program:
    return make_retail_program(session, languages=("en", "es"), extra_examples=SPANISH_EXAMPLES)


def answered(session: Session, factory: sessionmaker[Session], ticket: Ticket) -> str | None:
    session.commit()
    run_jobs(factory)
    session.refresh(ticket)
    attempt = assist_service.bot_attempt_of(session, ticket.id)
    return attempt.body if attempt is not None else None


def test_an_english_customer_never_gets_the_spanish_answer(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = bilingual_program(session)
    make_answer(session, program, title="Dónde está mi pedido", body=SPANISH_ANSWER)
    ticket = write_in(session, program, ENGLISH, language="en")

    body = answered(session, factory, ticket)

    triage = assist_service.triage_of(session, ticket.id)
    assert triage is not None
    assert (triage.language, triage.intent) == ("en", "order-status")
    assert body is None
    assert [m.author_kind for m in ticket.messages] == [AuthorKind.CUSTOMER]
    assert triage.bot_skip_reason == BotSkip.NO_ANSWER
    assert triage.notes[-1] == ("the bot did not answer: no approved answer for order-status in en")
    assert ticket.status == TicketStatus.ESCALATED  # nobody is online: staff take it


def test_each_customer_gets_the_answer_in_their_own_language_with_their_own_name(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = bilingual_program(session)
    make_answer(session, program, title="Dónde está mi pedido", body=SPANISH_ANSWER)
    make_answer(session, program, title="Where is my order", body=ENGLISH_ANSWER)
    english = write_in(
        session,
        program,
        ENGLISH,
        language="en",
        customer={"email": "jo@example.com", "name": "Jo Baker"},
    )
    spanish = write_in(
        session,
        program,
        SPANISH,
        language="es",
        customer={"email": "maria@example.com", "name": "María López"},
    )

    english_body = answered(session, factory, english)
    spanish_body = answered(session, factory, spanish)

    assert english_body == "Hi Jo, orders ship within 2 business days with a tracking link."
    assert spanish_body == SPANISH_ANSWER.replace("{{customer_name}}", "María")
    assert [m.body for m in spanish.messages if m.author_kind == AuthorKind.BOT] == [spanish_body]


def test_a_message_in_another_language_than_the_ticket_states_gets_no_bot_answer(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = bilingual_program(session)
    make_answer(session, program, title="Dónde está mi pedido", body=SPANISH_ANSWER)
    make_answer(session, program, title="Where is my order", body=ENGLISH_ANSWER)
    ticket = write_in(session, program, SPANISH, language="en")

    body = answered(session, factory, ticket)

    triage = assist_service.triage_of(session, ticket.id)
    assert triage is not None
    assert (body, triage.language, triage.bot_skip_reason) == (
        None,
        "es",
        BotSkip.LANGUAGE_MISMATCH,
    )
    assert triage.notes[-1] == "the bot did not answer: the message reads as es, the ticket says en"


def test_too_short_to_tell_the_language_the_bot_leaves_it_to_an_expert(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_retail_program(session, languages=("en", "es"), threshold=0.0)
    make_answer(session, program, title="Where is my order", body=ENGLISH_ANSWER)
    ticket = write_in(session, program, "order?", language="en")

    body = answered(session, factory, ticket)

    triage = assist_service.triage_of(session, ticket.id)
    assert triage is not None
    assert (body, triage.language, triage.bot_skip_reason) == (
        None,
        "unknown",
        BotSkip.LANGUAGE_UNKNOWN,
    )


def test_an_answer_said_to_be_english_but_written_in_spanish_is_refused(
    session: Session,
) -> None:
    program = bilingual_program(session)

    with pytest.raises(InvalidInput) as refused:
        make_answer(session, program, body=SPANISH_ANSWER, language="en")

    assert refused.value.detail == (
        "the answer is said to be in en but its text reads as es; correct the language or the text"
    )
    assert list(assist_service.list_answers(session, SYSTEM, program_id=program.id)) == []


def test_an_answer_without_a_language_gets_the_one_its_text_reads_as(session: Session) -> None:
    program = bilingual_program(session)

    spanish = make_answer(session, program, title="Dónde está mi pedido", body=SPANISH_ANSWER)
    english = make_answer(session, program, title="Where is my order", body=ENGLISH_ANSWER)

    assert (spanish.language, spanish.is_bot_answer) == ("es", True)
    assert (english.language, english.is_bot_answer) == ("en", True)
    assert assist_service.bot_answer_for(session, program.id, "order-status", "es") == spanish
    assert assist_service.bot_answer_for(session, program.id, "order-status", "en") == english
    assert assist_service.bot_answer_for(session, program.id, "order-status", "de") is None


def test_experts_are_suggested_answers_in_the_tickets_language_only(session: Session) -> None:
    program = bilingual_program(session)
    spanish = make_answer(session, program, title="Dónde está mi pedido", body=SPANISH_ANSWER)
    make_answer(session, program, title="Where is my order", body=ENGLISH_ANSWER)
    ticket = write_in(session, program, SPANISH, language="es")

    suggested = assist_service.suggest(session, SYSTEM, ticket.id, use_embeddings=False)

    assert [s.answer.id for s in suggested] == [spanish.id]


def test_an_answer_whose_text_is_in_another_language_than_its_label_is_never_sent(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_retail_program(session)
    # As stored before answers had a language: an English-only program's Spanish answer.
    mislabelled = Answer(
        brand_id=program.brand_id,
        program_id=program.id,
        intent="order-status",
        language="en",
        title="Dónde está mi pedido",
        body=SPANISH_ANSWER,
        status=AnswerStatus.APPROVED,
        is_bot_answer=True,
    )
    session.add(mislabelled)
    ticket = write_in(session, program, ENGLISH, language="en")

    body = answered(session, factory, ticket)

    triage = assist_service.triage_of(session, ticket.id)
    assert triage is not None
    assert (body, triage.bot_skip_reason) == (None, BotSkip.ANSWER_LANGUAGE)
    assert triage.notes[-1] == (
        "the bot did not answer: the approved answer for order-status in en reads as another "
        "language; correct it on the answers page"
    )
