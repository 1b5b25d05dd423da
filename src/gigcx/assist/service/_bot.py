"""The bot: answer a routine inquiry from an approved answer when it is sure enough."""

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.ai import language
from gigcx.assist.enums import BotAttemptStatus, BotSkip
from gigcx.assist.errors import NoBotAnswer
from gigcx.assist.models import Answer, BotAttempt, Triage
from gigcx.assist.service._answers import bot_answer_for
from gigcx.assist.service._settings import settings_for
from gigcx.audit import service as audit_service
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.errors import PermissionDenied
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.privacy import scrub
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind, TicketStatus
from gigcx.tickets.models import Customer, Message, Ticket

DIDNT_HELP = "This didn't help."


def bot_attempt_of(session: Session, ticket_id: uuid.UUID) -> BotAttempt | None:
    return session.scalar(select(BotAttempt).where(BotAttempt.ticket_id == ticket_id))


def customer_language(ticket: Ticket, triage: Triage) -> str | None:
    """The language the customer wrote in, when triage read the same one the ticket states;
    None when triage could not tell or read another."""
    stated = ticket.language.lower()
    return stated if triage.language == stated else None


def bot_skip_sentence(reason: BotSkip, ticket: Ticket, triage: Triage) -> str:
    intent = triage.intent or "this inquiry"
    stated = ticket.language.lower()
    return {
        BotSkip.DISABLED: "the bot is switched off for this program",
        BotSkip.UNRECOGNISED: "the inquiry fits no category",
        BotSkip.BELOW_THRESHOLD: f"the model is not sure enough of {intent} for the bot",
        BotSkip.TOPIC_DISPUTED: (f"the customer chose {ticket.category}, the model reads {intent}"),
        BotSkip.LANGUAGE_UNKNOWN: "the language of the message could not be told for sure",
        BotSkip.LANGUAGE_MISMATCH: (
            f"the message reads as {triage.language}, the ticket says {stated}"
        ),
        BotSkip.NO_ANSWER: f"no approved answer for {intent} in {stated}",
        BotSkip.ANSWER_LANGUAGE: (
            f"the approved answer for {intent} in {stated} reads as another language; "
            "correct it on the answers page"
        ),
    }[reason]


def _bot_answer(
    session: Session, ticket: Ticket, triage: Triage
) -> tuple[Answer | None, BotSkip | None]:
    settings = settings_for(session, ticket.program_id)
    if not settings.is_bot_enabled:
        return None, BotSkip.DISABLED
    if not triage.is_intent_recognised or triage.intent is None:
        return None, BotSkip.UNRECOGNISED
    if triage.intent_confidence is None or triage.intent_confidence < settings.bot_threshold:
        return None, BotSkip.BELOW_THRESHOLD
    if triage.intent != ticket.category:
        return None, BotSkip.TOPIC_DISPUTED
    if triage.language == language.UNKNOWN:
        return None, BotSkip.LANGUAGE_UNKNOWN
    written_in = customer_language(ticket, triage)
    if written_in is None:
        return None, BotSkip.LANGUAGE_MISMATCH
    # Only an answer in the customer's own language: never another one as a fallback.
    answer = bot_answer_for(session, ticket.program_id, triage.intent, written_in)
    if answer is None:
        return None, BotSkip.NO_ANSWER
    # The answer's label could be wrong (answers stored before they had a language): read it.
    served = [str(code).lower() for code in ticket.program.languages]
    read = language.detect(answer.body, sorted({*served, *language.COMMON}))
    if read not in {language.UNKNOWN, written_in}:
        return None, BotSkip.ANSWER_LANGUAGE
    return answer, None


def try_bot_answer(session: Session, ticket: Ticket, triage: Triage) -> BotAttempt | None:
    """Answer a new, locked ticket when its intent has an approved answer in the customer's
    language and the confidence clears the program's threshold; the ticket is then resolved
    pending the customer's word. Otherwise record on the triage why the bot did not answer."""
    if ticket.status != TicketStatus.NEW or bot_attempt_of(session, ticket.id) is not None:
        return None
    answer, skipped = _bot_answer(session, ticket, triage)
    if answer is None:
        assert skipped is not None
        triage.bot_skip_reason = skipped
        triage.notes = [
            *triage.notes,
            f"the bot did not answer: {bot_skip_sentence(skipped, ticket, triage)}",
        ]
        session.flush()
        return None
    assert triage.intent is not None and triage.intent_confidence is not None
    customer = session.get_one(Customer, ticket.customer_id)
    first_name = customer.name.split()[0] if customer.name.strip() else None
    body = scrub.fill_customer_name(answer.body, first_name)
    attempt = BotAttempt(
        ticket_id=ticket.id,
        answer_id=answer.id,
        intent=triage.intent,
        confidence=triage.intent_confidence,
        body=body,
    )
    session.add(attempt)
    message = Message(ticket_id=ticket.id, author_kind=AuthorKind.BOT, body=body)
    session.add(message)
    session.flush()
    tickets_service.announce_message(session, ticket, message)
    ticket.first_response_at = ticket.first_response_at or clock.now()
    tickets_service.resolve_locked(
        session, ticket, actor=SYSTEM, reason="answered by the bot; pending the customer's word"
    )
    assert ticket.resolved_at is not None
    # Silence until the ticket closes counts as a confirmation.
    jobs_service.enqueue(
        session,
        "assist.settle_bot_answer",
        {"ticket_id": str(ticket.id)},
        run_at=ticket.resolved_at + timedelta(seconds=ticket.program.auto_close_after_seconds),
    )
    session.flush()
    return attempt


def _earn_royalty(session: Session, ticket: Ticket, attempt: BotAttempt) -> None:
    answer = session.get_one(Answer, attempt.answer_id)
    settings = settings_for(session, ticket.program_id)
    if answer.author_expert_id is None or not settings.royalty_amount:
        return
    jobs_service.enqueue(
        session,
        "payments.earn_fee",
        {
            "kind": "royalty",
            "expert_id": str(answer.author_expert_id),
            "program_id": str(ticket.program_id),
            "source_key": f"royalty:{ticket.id}",
            "reference": str(answer.id),
        },
    )


def _settle(session: Session, ticket: Ticket, attempt: BotAttempt, actor: Principal) -> None:
    attempt.status = BotAttemptStatus.CONFIRMED
    attempt.ended_at = clock.now()
    _earn_royalty(session, ticket, attempt)
    audit_service.record(
        session,
        actor=actor,
        action="assist.bot_answer_confirmed",
        subject_type="ticket",
        subject_id=ticket.id,
        brand_id=ticket.brand_id,
        data={"answer_id": str(attempt.answer_id)},
    )
    session.flush()


def settle_bot_answer(session: Session, ticket_id: uuid.UUID) -> None:
    """Count a bot answer the customer did not dispute before closing as a resolution."""
    ticket = tickets_service.lock_ticket(session, SYSTEM, ticket_id)
    attempt = bot_attempt_of(session, ticket.id)
    if attempt is None or attempt.status != BotAttemptStatus.PENDING:
        return
    if ticket.status in {TicketStatus.RESOLVED, TicketStatus.CLOSED}:
        _settle(session, ticket, attempt, SYSTEM)


def confirm_bot_answer(session: Session, principal: Principal, ticket_id: uuid.UUID) -> BotAttempt:
    """The customer says the bot's answer solved it."""
    if not principal.can_speak_for_customers:
        raise PermissionDenied("only the customer confirms the bot's answer")
    ticket = tickets_service.lock_ticket(session, principal, ticket_id)
    attempt = bot_attempt_of(session, ticket.id)
    if attempt is None or attempt.status != BotAttemptStatus.PENDING:
        raise NoBotAnswer()
    _settle(session, ticket, attempt, principal)
    return attempt


def mark_bot_answer_rejected(session: Session, ticket_id: uuid.UUID) -> None:
    """Record that the customer wrote again after the bot answered: an expert takes over."""
    attempt = bot_attempt_of(session, ticket_id)
    if attempt is None or attempt.status != BotAttemptStatus.PENDING:
        return
    attempt.status = BotAttemptStatus.REJECTED
    attempt.ended_at = clock.now()
    session.flush()


def reject_bot_answer(
    session: Session, principal: Principal, ticket_id: uuid.UUID, *, body: str = ""
) -> BotAttempt:
    """ "This didn't help": the ticket goes to an expert, with the bot's attempt in view."""
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    attempt = bot_attempt_of(session, ticket.id)
    if attempt is None or attempt.status != BotAttemptStatus.PENDING:
        raise NoBotAnswer()
    tickets_service.add_customer_message(session, principal, ticket.id, body.strip() or DIDNT_HELP)
    mark_bot_answer_rejected(session, ticket.id)
    return attempt
