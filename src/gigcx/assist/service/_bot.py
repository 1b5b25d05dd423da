"""The bot: answer a routine inquiry from an approved answer when it is sure enough."""

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist.enums import AnswerKind, AnswerStatus, BotAttemptStatus
from gigcx.assist.errors import NoBotAnswer
from gigcx.assist.models import Answer, BotAttempt, Triage
from gigcx.assist.service._settings import settings_for
from gigcx.audit import service as audit_service
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.errors import PermissionDenied
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind, TicketStatus
from gigcx.tickets.models import Message, Ticket

DIDNT_HELP = "This didn't help."


def approved_answer_for(session: Session, program_id: uuid.UUID, intent: str) -> Answer | None:
    """The program's approved standard answer for an intent (the newest one)."""
    return session.scalar(
        select(Answer)
        .where(
            Answer.program_id == program_id,
            Answer.intent == intent,
            Answer.kind == AnswerKind.ANSWER,
            Answer.status == AnswerStatus.APPROVED,
        )
        .order_by(Answer.reviewed_at.desc(), Answer.created_at.desc())
        .limit(1)
    )


def bot_attempt_of(session: Session, ticket_id: uuid.UUID) -> BotAttempt | None:
    return session.scalar(select(BotAttempt).where(BotAttempt.ticket_id == ticket_id))


def try_bot_answer(session: Session, ticket: Ticket, triage: Triage) -> BotAttempt | None:
    """Answer a new, locked ticket when its intent has an approved answer and the confidence
    clears the program's threshold; the ticket is then resolved pending the customer's word."""
    if ticket.status != TicketStatus.NEW or bot_attempt_of(session, ticket.id) is not None:
        return None
    settings = settings_for(session, ticket.program_id)
    if (
        not settings.is_bot_enabled
        or not triage.is_intent_recognised
        or triage.intent is None
        or triage.intent_confidence is None
        or triage.intent_confidence < settings.bot_threshold
    ):
        return None
    answer = approved_answer_for(session, ticket.program_id, triage.intent)
    if answer is None:
        return None
    attempt = BotAttempt(
        ticket_id=ticket.id,
        answer_id=answer.id,
        intent=triage.intent,
        confidence=triage.intent_confidence,
        body=answer.body,
    )
    session.add(attempt)
    session.add(Message(ticket_id=ticket.id, author_kind=AuthorKind.BOT, body=answer.body))
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
