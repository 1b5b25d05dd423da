"""Outgoing mail: queued in the caller's transaction, sent over SMTP by the job runner.

A request never talks to a mail server. ``queue_email`` writes the mail and its send job in the
caller's unit of work; the job sends it, and a failure is retried on a schedule and recorded on
the mail, where the ticket's page shows it.
"""

import smtplib
import ssl
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.channels.email.enums import AutoSubmitted, OutboundStatus
from gigcx.channels.email.models import OutboundEmail
from gigcx.config import get_settings
from gigcx.errors import InvalidInput
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.tickets.models import Attachment

SEND_JOB = "channels.email.send"
# Waits before the 2nd, 3rd, ... attempt; after the last the mail is marked failed.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
SMTP_TIMEOUT_SECONDS = 30.0
# Where a stored mail names the ticket attachments it carries (never sent as a header).
ATTACHMENTS_KEY = "X-GigCX-Attachments"
ERROR_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    username: str
    password: str
    # "plain", "starttls" (upgrade on connect) or "tls" (implicit TLS, usually port 465).
    security: str


def parse_smtp_url(url: str) -> SmtpServer:
    """Read ``smtp://``, ``smtp+starttls://`` or ``smtps://`` ``[user:password@]host[:port]``."""
    parts = urlsplit(url)
    schemes = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}
    if parts.scheme not in schemes or not parts.hostname:
        raise InvalidInput(
            f"cannot read the SMTP address {url!r}: write it as smtp://host:port, "
            "smtp+starttls://user:password@host:587 or smtps://user:password@host:465"
        )
    security, default_port = schemes[parts.scheme]
    return SmtpServer(
        host=parts.hostname,
        port=parts.port or default_port,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        security=security,
    )


def mail_domain() -> str:
    """The domain of the Message-IDs and addresses GigCX makes up."""
    settings = get_settings()
    if settings.mail_domain:
        return settings.mail_domain
    host = urlsplit(settings.base_url).hostname if settings.base_url else None
    return host or "gigcx.localhost"


def new_message_id(prefix: str = "m") -> str:
    """A fresh Message-ID under our mail domain, e.g. ``<m.3f2a...@support.example.com>``."""
    return make_msgid(idstring=f"{prefix}.{uuid.uuid4().hex}", domain=mail_domain())


def queue_email(
    session: Session,
    *,
    brand_id: uuid.UUID | None,
    to: str,
    subject: str,
    text: str,
    kind: str,
    ticket_id: uuid.UUID | None = None,
    from_address: str | None = None,
    reply_to: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    auto_submitted: AutoSubmitted = AutoSubmitted.NO,
    smtp_url: str | None = None,
    attachment_ids: Sequence[uuid.UUID] = (),
) -> OutboundEmail:
    """Write a mail and queue its sending for once this transaction commits.

    ``attachment_ids`` name stored ticket attachments to send with it (read when it is sent).
    """
    headers: dict[str, Any] = {}
    if reply_to:
        headers["Reply-To"] = reply_to
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    if references:
        headers["References"] = " ".join(references)
    if auto_submitted != AutoSubmitted.NO:
        headers["Auto-Submitted"] = auto_submitted.value
        # Microsoft's servers read this one instead: no out-of-office answers to us.
        headers["X-Auto-Response-Suppress"] = "All"
    if smtp_url:
        headers["X-GigCX-SMTP"] = smtp_url
    if attachment_ids:
        headers[ATTACHMENTS_KEY] = [str(attachment_id) for attachment_id in attachment_ids]
    email = OutboundEmail(
        brand_id=brand_id,
        ticket_id=ticket_id,
        kind=kind,
        to_address=to,
        from_address=from_address or get_settings().mail_from,
        subject=" ".join(subject.split())[:300],
        text_body=text,
        headers=headers,
        message_id=message_id or new_message_id(),
    )
    configured = smtp_url or get_settings().smtp_url
    if not configured:
        email.status = OutboundStatus.NOT_CONFIGURED
        email.last_error = "no SMTP server is configured (set GIGCX_SMTP_URL or the brand's)"
    session.add(email)
    session.flush()
    if configured:
        jobs_service.enqueue(session, SEND_JOB, {"email_id": str(email.id)})
    return email


def build_message(email: OutboundEmail, attachments: Sequence[Attachment] = ()) -> EmailMessage:
    """The MIME message for a stored mail, headers as recorded, files attached."""
    message = EmailMessage()
    message["From"] = email.from_address
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = email.message_id
    for name, value in email.headers.items():
        if not name.startswith("X-GigCX-"):
            message[name] = value
    message.set_content(email.text_body)
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


def attachments_of(session: Session, email: OutboundEmail) -> list[Attachment]:
    """The stored files a mail carries, in the order they were named."""
    ids = [uuid.UUID(value) for value in email.headers.get(ATTACHMENTS_KEY, [])]
    found = {a.id: a for a in session.scalars(select(Attachment).where(Attachment.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _deliver(server: SmtpServer, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if server.security == "tls":
        smtp = smtplib.SMTP_SSL(
            server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        if server.security == "starttls":
            smtp.starttls(context=context)
        if server.username:
            smtp.login(server.username, server.password)
        smtp.send_message(message)


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPAuthenticationError)
    return False


def send_email(session: Session, email_id: uuid.UUID) -> None:
    """Send one queued mail; on failure record why and try again later, or give up."""
    email = session.get(OutboundEmail, email_id)
    if email is None or email.status != OutboundStatus.QUEUED:
        return
    email.attempts += 1
    try:
        url = email.headers.get("X-GigCX-SMTP") or get_settings().smtp_url
        _deliver(parse_smtp_url(url), build_message(email, attachments_of(session, email)))
    except (OSError, smtplib.SMTPException, InvalidInput) as error:
        email.last_error = f"attempt {email.attempts}: {error}"[:ERROR_LIMIT]
        if _is_permanent(error) or email.attempts > len(RETRY_DELAYS):
            email.status = OutboundStatus.FAILED
        else:
            jobs_service.enqueue(
                session,
                SEND_JOB,
                {"email_id": str(email.id)},
                run_at=clock.now() + RETRY_DELAYS[email.attempts - 1],
            )
        session.flush()
        return
    email.status = OutboundStatus.SENT
    email.sent_at = clock.now()
    email.last_error = None
    session.flush()
