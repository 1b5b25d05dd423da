"""What an expert sees and sends: masked customer text and pre-send checks on replies."""

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gigcx.ai import checks
from gigcx.assist.errors import ReplyBlocked
from gigcx.assist.service._settings import settings_for
from gigcx.assist.service._suggest import record_sent
from gigcx.assist.service._triage import triage_of
from gigcx.auth.principal import Principal
from gigcx.privacy import pii
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind
from gigcx.tickets.models import Customer, Message, Ticket


@dataclass(frozen=True)
class ShownMessage:
    message: Message
    body: str


def shown_messages(session: Session, principal: Principal, ticket: Ticket) -> list[ShownMessage]:
    """The conversation as this principal may see it: experts get customer PII masked unless
    the program grants that kind."""
    if not principal.is_expert:
        return [ShownMessage(m, m.body) for m in ticket.messages]
    granted = settings_for(session, ticket.program_id).granted_pii
    customer = session.get_one(Customer, ticket.customer_id)
    names = [customer.name] if customer.name else []
    shown = []
    for message in ticket.messages:
        body = message.body
        if message.author_kind == AuthorKind.CUSTOMER:
            body = pii.mask_text(body, granted=granted, known_names=names)
        shown.append(ShownMessage(message, body))
    return shown


@dataclass(frozen=True)
class CheckedFinding:
    check: str
    message: str
    is_blocking: bool


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
    )
    blocking = set(settings.blocking_checks)
    return [CheckedFinding(f.check, f.message, f.check in blocking) for f in findings]


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
