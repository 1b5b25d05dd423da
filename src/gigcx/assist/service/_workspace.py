"""What an expert sends: pre-send checks on replies, then the reply."""

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gigcx.ai import checks
from gigcx.assist.errors import ReplyBlocked
from gigcx.assist.service._settings import ALL_PII_KINDS, settings_for, unmasked_pii
from gigcx.assist.service._suggest import record_sent
from gigcx.assist.service._triage import triage_of
from gigcx.auth.principal import Principal
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind
from gigcx.tickets.models import Message


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
        masked_kinds=ALL_PII_KINDS - unmasked_pii(session, principal, ticket.program_id),
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
