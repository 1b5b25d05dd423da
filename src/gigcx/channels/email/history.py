"""The mail a ticket's customer was sent, as each viewer may see it.

The brand's people see every mail with its address, status and the mail server's answer in
plain words. An expert who may see the conversation sees only that the customer was mailed, or
that it failed: never the address nor the server's words (they can name it). Others see nothing.
Who sees what comes from the one policy (``views.policy.sight_of``).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.channels.email import compose
from gigcx.channels.email.enums import OutboundStatus
from gigcx.channels.email.models import OutboundEmail
from gigcx.channels.email.schemas import TicketEmailRead
from gigcx.tickets.models import Ticket
from gigcx.views.policy import Viewer, sight_of

KIND_WORDS = {
    compose.ACKNOWLEDGEMENT: "Acknowledgement",
    compose.REPLY: "Answer",
    compose.RATING_REQUEST: "Rating request",
}
EXPERT_WORDS = {
    OutboundStatus.QUEUED: "Being emailed to the customer",
    OutboundStatus.SENT: "Emailed to the customer \N{CHECK MARK}",
    OutboundStatus.FAILED: "Email to the customer failed",
    OutboundStatus.NOT_CONFIGURED: "Not emailed: mail is not set up",
}


@dataclass(frozen=True, slots=True)
class MailLine:
    """One mail on a ticket's page; ``to`` and ``error`` are None where the viewer may not see
    them."""

    id: uuid.UUID
    kind: str
    kind_text: str
    subject: str
    status: OutboundStatus
    status_text: str
    to: str | None
    error: str | None
    attempts: int
    created_at: datetime
    sent_at: datetime | None


def _detail(email: OutboundEmail) -> str | None:
    """The mail server's last answer without our "attempt n:" prefix."""
    if not email.last_error:
        return None
    return (
        email.last_error.split(": ", 1)[1]
        if email.last_error.startswith("attempt ")
        else (email.last_error)
    )


def _reason(detail: str) -> str:
    """What a mail server's answer means, in plain words."""
    lowered = detail.lower()
    if "5.1.1" in detail or "550" in detail or "no such user" in lowered:
        return "the customer's mail server says this address does not exist"
    if "535" in detail or "authentication" in lowered:
        return "the mail server did not accept our user name and password"
    if "refused" in lowered or "unreachable" in lowered or "timed out" in lowered:
        return "the mail server could not be reached"
    return "the mail server answered with an error"


def status_words(email: OutboundEmail) -> str:
    """The mail's status and any error in plain words (for the brand's people)."""
    detail = _detail(email)
    if email.status == OutboundStatus.SENT:
        return "Sent"
    if email.status == OutboundStatus.NOT_CONFIGURED:
        return (
            "Not sent: no mail server is set up. Set GIGCX_SMTP_URL, or the SMTP address of the "
            "brand's mailbox."
        )
    if email.status == OutboundStatus.FAILED:
        reason = _reason(detail or "")
        return f"Failed after {email.attempts} attempt{'s' * (email.attempts != 1)}: {reason}."
    if detail:
        return f"Not sent yet: {_reason(detail)}; trying again (attempt {email.attempts} failed)."
    return "Queued: the job runner sends it shortly"


def _mails(session: Session, ticket: Ticket) -> list[OutboundEmail]:
    return list(
        session.scalars(
            select(OutboundEmail)
            .where(
                OutboundEmail.ticket_id == ticket.id,
                OutboundEmail.kind.in_(compose.CUSTOMER_KINDS),
            )
            .order_by(OutboundEmail.created_at, OutboundEmail.id)
        )
    )


def mail_lines(session: Session, principal: Principal, ticket: Ticket) -> list[MailLine]:
    """The mail to the ticket's customer as ``principal`` may see it, oldest first."""
    sight = sight_of(session, principal, ticket)
    if sight.viewer == Viewer.BRAND:
        return [
            MailLine(
                id=email.id,
                kind=email.kind,
                kind_text=KIND_WORDS.get(email.kind, email.kind),
                subject=email.subject,
                status=email.status,
                status_text=status_words(email),
                to=email.to_address,
                error=_detail(email),
                attempts=email.attempts,
                created_at=email.created_at,
                sent_at=email.sent_at,
            )
            for email in _mails(session, ticket)
        ]
    if sight.viewer != Viewer.EXPERT or not sight.shows_conversation:
        return []
    return [
        MailLine(
            id=email.id,
            kind=email.kind,
            kind_text=KIND_WORDS.get(email.kind, email.kind),
            subject=sight.text(email.subject),
            status=email.status,
            status_text=EXPERT_WORDS[email.status],
            to=None,
            error=None,
            attempts=email.attempts,
            created_at=email.created_at,
            sent_at=email.sent_at,
        )
        for email in _mails(session, ticket)
        if sight.until is None or email.created_at <= sight.until
    ]


def email_reads(session: Session, principal: Principal, ticket: Ticket) -> list[TicketEmailRead]:
    """The API's list of the mail to a ticket's customer (the brand's people only)."""
    sight = sight_of(session, principal, ticket)
    if sight.viewer != Viewer.BRAND:
        return []
    return [
        TicketEmailRead(
            id=email.id,
            kind=email.kind,
            to=email.to_address,
            from_address=email.from_address,
            subject=email.subject,
            status=email.status,
            status_text=status_words(email),
            error=_detail(email),
            attempts=email.attempts,
            message_id=email.message_id,
            in_reply_to=email.headers.get("In-Reply-To"),
            created_at=email.created_at,
            sent_at=email.sent_at,
        )
        for email in _mails(session, ticket)
    ]
