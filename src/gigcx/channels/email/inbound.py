"""Mail comes in: one ingest behind every transport (IMAP polling, the raw endpoint, LMTP).

``ingest`` takes the raw bytes of one mail for one mailbox, in the caller's unit of work, and
returns what became of it. The same mail through any transport stores the same ticket and
message; a redelivery (same Message-ID, or the same bytes when it has none) stores nothing.
Services flush, never commit: the request, the job or the LMTP delivery commits once.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.ai import language as ai_language
from gigcx.assist import service as assist_service
from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.brands.enums import Channel
from gigcx.brands.models import Program
from gigcx.channels.email import guard
from gigcx.channels.email.enums import InboundOutcome, InboundReason, InboundTransport
from gigcx.channels.email.errors import MailTooLarge
from gigcx.channels.email.models import InboundEmail, Mailbox
from gigcx.channels.email.parsing import ParsedMail, dedup_key, parse
from gigcx.channels.email.threading import find_thread
from gigcx.config import get_settings
from gigcx.db.helpers import insert_or_get
from gigcx.errors import DomainError
from gigcx.kit import clock
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.errors import AttachmentTooLarge, AttachmentTypeRefused
from gigcx.tickets.models import Message, Ticket
from gigcx.tickets.schemas import TicketCreate

# Mail older than this when it first arrives (an old inbox imported) is not acknowledged.
ACKNOWLEDGE_WITHIN = timedelta(days=1)
NO_TEXT = "(The mail had no text.)"


@dataclass(frozen=True, slots=True)
class IngestResult:
    inbound_id: uuid.UUID
    outcome: InboundOutcome
    reason: InboundReason | None
    detail: str
    ticket_id: uuid.UUID | None
    message_id: uuid.UUID | None
    may_acknowledge: bool
    refused_files: tuple[str, ...] = field(default=())


def _result(
    row: InboundEmail, *, duplicate: bool = False, refused: tuple[str, ...] = ()
) -> IngestResult:
    return IngestResult(
        inbound_id=row.id,
        outcome=InboundOutcome.DUPLICATE if duplicate else row.outcome,
        reason=row.reason,
        detail=(
            f"the same mail came before ({row.outcome}); nothing was stored again"
            if duplicate
            else row.detail
        ),
        ticket_id=row.ticket_id,
        message_id=row.message_id,
        may_acknowledge=False if duplicate else row.may_acknowledge,
        refused_files=refused,
    )


def mailbox_for_address(session: Session, address: str) -> Mailbox | None:
    """The active mailbox an address reaches (``support+token@`` reaches ``support@``)."""
    local, _, domain = address.strip().strip("<>").lower().partition("@")
    base = f"{local.partition('+')[0]}@{domain}"
    return session.scalar(
        select(Mailbox).where(func.lower(Mailbox.address) == base, Mailbox.is_active.is_(True))
    )


def _find(session: Session, mailbox_id: uuid.UUID, key: str) -> InboundEmail | None:
    return session.scalar(
        select(InboundEmail).where(
            InboundEmail.mailbox_id == mailbox_id, InboundEmail.dedup_key == key
        )
    )


def _claim(
    session: Session, mailbox: Mailbox, raw: bytes, key: str, transport: InboundTransport
) -> tuple[InboundEmail, bool]:
    """Write the mail's row first: a concurrent delivery of the same mail finds it."""
    row = InboundEmail(
        brand_id=mailbox.brand_id,
        mailbox_id=mailbox.id,
        dedup_key=key,
        transport=transport,
        size=len(raw),
        raw=raw,
        outcome=InboundOutcome.IGNORED,
        detail="",
        may_acknowledge=False,
    )
    existing = _find(session, mailbox.id, key)
    if existing is not None:
        return existing, False
    return insert_or_get(session, row, partial(_find, session, mailbox.id, key))


def record_unusable(
    session: Session,
    mailbox: Mailbox,
    raw: bytes,
    *,
    transport: InboundTransport,
    reason: InboundReason,
    detail: str,
    key: str | None = None,
) -> IngestResult:
    """Keep a mail that could not be taken (unreadable, too large) as ignored, with why."""
    row, is_new = _claim(session, mailbox, raw, key or dedup_key(None, raw), transport)
    if not is_new:
        return _result(row, duplicate=True)
    row.reason = reason
    row.detail = detail
    session.flush()
    return _result(row)


def _ignore(row: InboundEmail, reason: InboundReason, detail: str) -> None:
    row.outcome = InboundOutcome.IGNORED
    row.reason = reason
    row.detail = detail


def _language(program: Program, text: str) -> str:
    found = ai_language.detect(text, list(program.languages))
    return found if found != ai_language.UNKNOWN else str(program.languages[0])


def _new_ticket(session: Session, mailbox: Mailbox, mail: ParsedMail, body: str) -> Ticket:
    program = session.get_one(Program, mailbox.program_id)
    brand_customer = Principal(role=Role.CUSTOMER, brand_id=mailbox.brand_id)
    route_after_triage = assist_service.routes_after_triage(session, program.id)
    first_category = program.categories[0].key if program.categories else None

    def guess(text: str) -> str | None:
        # The model's pick when the program has one, else its first category: triage decides.
        return assist_service.guess_category(session, program.id, text) or first_category

    data = TicketCreate.model_validate(
        {
            "program_id": program.id,
            "customer": {"email": mail.sender, "name": mail.sender_name},
            "channel": Channel.EMAIL,
            "language": _language(program, body),
            "category": None,
            "subject": mail.subject,
            "body": body,
        }
    )
    ticket, _ = tickets_service.create_ticket(
        session,
        brand_customer,
        data,
        idempotency_key=None,
        route_after_triage=route_after_triage,
        guess_category=guess,
    )
    if not route_after_triage:
        routing_service.route_locked(session, ticket)
    return ticket


def _store_files(session: Session, ticket: Ticket, message: Message, mail: ParsedMail) -> list[str]:
    refused = list(mail.skipped_files)
    for item in mail.files:
        try:
            tickets_service.add_attachment(
                session, ticket=ticket, message=message, filename=item.filename, data=item.data
            )
        except (AttachmentTooLarge, AttachmentTypeRefused) as error:
            refused.append(f"{item.filename}: {error.detail}")
    return refused


def _is_recent(mail: ParsedMail) -> bool:
    return mail.date is None or mail.date >= clock.now() - ACKNOWLEDGE_WITHIN


def _take(
    session: Session,
    mailbox: Mailbox,
    mail: ParsedMail,
    row: InboundEmail,
    envelope_recipients: tuple[str, ...],
) -> tuple[str, ...]:
    """Decide what the mail becomes and do it; return the files that were refused."""
    if mail.delivery_statuses is not None:
        _ignore(
            row,
            InboundReason.BOUNCE,
            guard.record_bounce(session, mailbox.brand_id, mail.delivery_statuses),
        )
        return ()
    own = guard.own_mail_reason(session, mail)
    if own is not None:
        _ignore(row, InboundReason.OWN_MAIL, own)
        return ()
    auto = guard.auto_reply_reason(mail)
    if auto is not None:
        _ignore(row, InboundReason.AUTO_REPLY, f"an automatic mail: {auto}; no ticket, no answer")
        return ()
    thread = find_thread(session, mailbox, mail, envelope_recipients)
    if thread.refused is not None:
        row.outcome = InboundOutcome.REFUSED
        row.reason = InboundReason.FORGED_REPLY_ADDRESS
        row.detail = f"refused: {thread.refused}; nothing was added to any ticket"
        return ()
    body = mail.text or NO_TEXT
    if thread.ticket is not None:
        ticket = thread.ticket
        message = tickets_service.add_customer_message(
            session, tickets_service.customer_of(ticket), ticket.id, body
        )
        row.outcome, row.reason = InboundOutcome.THREADED, thread.via
        row.detail = f"added to the ticket (matched by {thread.via})"
    else:
        if guard.is_flood(session, mailbox, mail.sender):
            limit = get_settings().inbound_email_flood_limit
            _ignore(
                row,
                InboundReason.FLOOD,
                f"the sender sent this mailbox more than {limit} mails within an hour; "
                "kept without opening a ticket",
            )
            return ()
        try:
            with session.begin_nested():
                ticket = _new_ticket(session, mailbox, mail, body)
        except DomainError as error:
            _ignore(row, InboundReason.PROGRAM_REFUSED, f"no ticket: {error.detail}")
            return ()
        except ValidationError:
            _ignore(
                row,
                InboundReason.UNREADABLE,
                f"no ticket: the sender's address {mail.sender!r} is not one mail can be sent to",
            )
            return ()
        message = session.scalars(
            select(Message).where(Message.ticket_id == ticket.id).order_by(Message.created_at)
        ).one()
        row.outcome, row.reason = InboundOutcome.NEW_TICKET, None
        row.detail = "a new ticket" + (f" ({thread.note})" if thread.note else "")
    row.ticket_id, row.message_id = ticket.id, message.id
    row.may_acknowledge = _is_recent(mail)
    refused = _store_files(session, ticket, message, mail)
    if refused:
        row.detail += "; files not stored: " + "; ".join(refused)
    return tuple(refused)


def ingest(
    session: Session,
    mailbox: Mailbox,
    raw: bytes,
    *,
    transport: InboundTransport,
    envelope_recipients: tuple[str, ...] = (),
) -> IngestResult:
    """Take one mail into a mailbox: a new ticket, a reply on its ticket, or kept as ignored.

    Raises MailTooLarge or UnreadableMail for mail that cannot be taken at all; the transport
    says no its own way (413/400, LMTP 552/550) or keeps it as ignored (IMAP).
    """
    limit = get_settings().max_inbound_email_bytes
    if len(raw) > limit:
        raise MailTooLarge(len(raw), limit)
    mail = parse(raw)
    row, is_new = _claim(session, mailbox, raw, mail.dedup_key, transport)
    if not is_new:
        return _result(row, duplicate=True)
    row.header_message_id = mail.message_id[:255] if mail.message_id else None
    row.sender = mail.sender
    row.subject = mail.subject
    refused = _take(session, mailbox, mail, row, envelope_recipients)
    session.flush()
    return _result(row, refused=refused)


def may_acknowledge(session: Session, ticket_id: uuid.UUID) -> bool:
    """Whether a robot may answer the mail that opened a ticket (True for tickets not by mail)."""
    opening = session.scalar(
        select(InboundEmail.may_acknowledge).where(
            InboundEmail.ticket_id == ticket_id,
            InboundEmail.outcome == InboundOutcome.NEW_TICKET,
        )
    )
    return True if opening is None else bool(opening)
