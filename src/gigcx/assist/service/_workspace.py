"""What an expert sends: pre-send checks on replies, then the reply."""

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gigcx.ai import checks, sentiment
from gigcx.assist.errors import ReplyBlocked
from gigcx.assist.service._settings import ALL_PII_KINDS, settings_for, unmasked_pii
from gigcx.assist.service._suggest import record_sent
from gigcx.assist.service._triage import triage_of
from gigcx.auth.principal import Principal
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind
from gigcx.tickets.models import Message, Ticket


@dataclass(frozen=True)
class CheckedFinding:
    check: str
    message: str
    is_blocking: bool
    is_notice: bool = False  # information only (a check that could not run)


def check_reply(
    session: Session, principal: Principal, ticket_id: uuid.UUID, body: str
) -> list[CheckedFinding]:
    """Run the pre-send checks on a draft reply; the program decides which findings block."""
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    settings = settings_for(session, ticket.program_id)
    triage = triage_of(session, ticket.id)
    customer_texts = [m.body for m in ticket.messages if m.author_kind == AuthorKind.CUSTOMER]
    findings = checks.check_reply(
        body,
        customer_texts=customer_texts,
        customer_language=triage.language if triage is not None else ticket.language,
        languages=list(ticket.program.languages),
        forbidden_phrases=list(settings.forbidden_phrases),
        masked_kinds=ALL_PII_KINDS - unmasked_pii(session, principal, ticket.program_id),
    )
    blocking = set(settings.blocking_checks)
    return [
        CheckedFinding(f.check, f.message, f.check in blocking and not f.is_notice, f.is_notice)
        for f in findings
    ]


def send_reply(
    session: Session, principal: Principal, ticket_id: uuid.UUID, body: str, *, is_internal: bool
) -> tuple[Message, list[CheckedFinding]]:
    """Send a reply after the pre-send checks; blocking findings stop it, the rest warn."""
    findings = [] if is_internal else check_reply(session, principal, ticket_id, body)
    blocked = [f.message for f in findings if f.is_blocking]
    if blocked:
        raise ReplyBlocked(blocked)
    message = tickets_service.reply(session, principal, ticket_id, body, is_internal=is_internal)
    if not is_internal:
        record_sent(session, principal, ticket_id, body)
    return message, findings


@dataclass(frozen=True)
class TopicDoubt:
    """The model reads another topic than the ticket's, not surely enough to change it."""

    topic: str
    is_customer_choice: bool
    model_reads: str
    confidence: float


def _category_name(ticket: Ticket, key: str) -> str:
    category = ticket.program.category(key)
    return category.name if category is not None else key


def topic_doubt(session: Session, ticket: Ticket) -> TopicDoubt | None:
    """The disagreement between the ticket's topic and the model, for the expert to judge."""
    triage = triage_of(session, ticket.id)
    if triage is None or not triage.is_topic_disputed or triage.intent is None:
        return None
    return TopicDoubt(
        topic=_category_name(ticket, ticket.category),
        is_customer_choice=triage.chosen_category is not None,
        model_reads=_category_name(ticket, triage.intent),
        confidence=triage.intent_confidence or 0.0,
    )


def tone_unchecked(ticket: Ticket) -> str | None:
    """The ticket's language when no sentiment model reads it (tone checks do not run)."""
    code = ticket.language.lower()
    return None if sentiment.is_available(code) else code
