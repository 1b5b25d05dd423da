"""Read a raw RFC 822 mail into what ingest needs: who, what, which thread, which files.

The one parser behind every transport (IMAP, the raw endpoint, LMTP): the same bytes always
read the same. Mail that cannot be read raises ``UnreadableMail`` with a plain reason; the
standard library's parser is lenient, and where it still fails on broken MIME that failure is
turned into the same error, never a crash.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from gigcx.channels.email.content import clean_text, html_to_text, strip_quoted
from gigcx.channels.email.errors import UnreadableMail

RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,998}>")
SUBJECT_LIMIT = 200
NAME_LIMIT = 120
BODY_LIMIT = 20_000
ATTACHMENT_LIMIT = 20


@dataclass(frozen=True, slots=True)
class MailFile:
    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """One recipient's line of a delivery-status report (RFC 3464)."""

    recipient: str
    action: str
    status: str
    diagnostic: str

    @property
    def is_permanent(self) -> bool:
        return self.status.startswith("5")


@dataclass(frozen=True, slots=True)
class ParsedMail:
    raw: bytes
    message: EmailMessage
    message_id: str | None
    sender: str
    sender_name: str
    subject: str
    recipients: tuple[str, ...]
    # In-Reply-To first, then References from the newest back.
    thread_ids: tuple[str, ...]
    date: datetime | None
    text: str
    files: tuple[MailFile, ...] = ()
    # Files left out before any check (too many, or not files at all), with why.
    skipped_files: tuple[str, ...] = ()
    delivery_statuses: tuple[DeliveryStatus, ...] | None = field(default=None)

    @property
    def dedup_key(self) -> str:
        """What makes a redelivery the same mail: its Message-ID, or its bytes without one."""
        return dedup_key(self.message_id, self.raw)

    def header(self, name: str) -> str:
        return header_text(self.message, name)

    def has_header(self, name: str) -> bool:
        return name in self.message


def dedup_key(message_id: str | None, raw: bytes) -> str:
    if message_id:
        return hashlib.sha256(b"mid:" + message_id.encode()).hexdigest()
    return hashlib.sha256(b"raw:" + raw).hexdigest()


def header_message_id(header: bytes) -> str | None:
    """The Message-ID in a mail's header block, read alone (for mail too large to fetch)."""
    try:
        message = message_from_bytes(header, policy=policy.default)
    except Exception:  # the stdlib parser can still fail on broken MIME
        return None
    ids = message_ids_in(header_text(message, "Message-ID"))
    return ids[0] if ids else None


def header_text(message: Message, name: str) -> str:
    """A header's value as text ("" when missing or unreadable)."""
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError, AttributeError, LookupError):
        return ""
    return clean_text(str(value)) if value is not None else ""


def message_ids_in(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value)


def _addresses(message: Message, names: tuple[str, ...]) -> tuple[str, ...]:
    found: list[str] = []
    for name in names:
        values = [header_text(message, name)] if name in message else []
        for _, address in getaddresses(values):
            address = address.strip().lower()
            if "@" in address and address not in found:
                found.append(address)
    return tuple(found)


def _date(message: Message) -> datetime | None:
    value = header_text(message, "Date")
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


def _part_text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        text = content if isinstance(content, str) else ""
    except (LookupError, ValueError, AssertionError, KeyError, AttributeError):
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return text


def _body(message: EmailMessage) -> tuple[str, Message | None]:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return "", None
    text = _part_text(part)
    if part.get_content_subtype() == "html":
        return html_to_text(text), part
    return clean_text(text), part


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except (ValueError, IndexError, TypeError, LookupError):
        return None
    return clean_text(name) if name else None


def _files(message: EmailMessage, body: Message | None) -> tuple[list[MailFile], list[str]]:
    files: list[MailFile] = []
    skipped: list[str] = []
    for part in message.walk():
        if part is body or part.is_multipart():
            continue
        name = _filename(part)
        disposition = part.get_content_disposition()
        if name is None and disposition != "attachment":
            continue
        name = name or "attachment"
        if len(files) >= ATTACHMENT_LIMIT:
            skipped.append(f"{name}: a mail may carry at most {ATTACHMENT_LIMIT} files")
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            skipped.append(f"{name}: not a file that can be stored (a forwarded mail?)")
            continue
        files.append(MailFile(filename=name, data=data))
    return files, skipped


def _delivery_statuses(message: EmailMessage) -> tuple[DeliveryStatus, ...] | None:
    """The recipients' lines of a delivery-status report; None when the mail is not one."""
    if message.get_content_type() != "multipart/report":
        return None
    if message.get_param("report-type", "", header="content-type") != "delivery-status":
        return None
    statuses: list[DeliveryStatus] = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        for block in blocks if isinstance(blocks, list) else []:
            if not isinstance(block, Message):
                continue
            status = header_text(block, "Status")
            if not status:
                continue
            recipient = header_text(block, "Final-Recipient") or header_text(
                block, "Original-Recipient"
            )
            statuses.append(
                DeliveryStatus(
                    recipient=recipient.rpartition(";")[2].strip().strip("<>").lower(),
                    action=header_text(block, "Action").lower(),
                    status=status.split()[0],
                    diagnostic=header_text(block, "Diagnostic-Code").rpartition(";")[2].strip(),
                )
            )
    return tuple(statuses)


def _parse(raw: bytes) -> ParsedMail:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    if not message.keys():
        raise UnreadableMail("it has no headers; send the whole mail as received (RFC 822)")
    sender_name, sender = parseaddr(header_text(message, "From"))
    sender = sender.strip().lower()
    if "@" not in sender:
        raise UnreadableMail("it has no sender address in its From header")
    ids = message_ids_in(header_text(message, "Message-ID"))
    in_reply_to = message_ids_in(header_text(message, "In-Reply-To"))
    references = list(reversed(message_ids_in(header_text(message, "References"))))
    thread_ids = tuple(dict.fromkeys(in_reply_to + references))
    text, body = _body(message)
    files, skipped = _files(message, body)
    subject = " ".join(header_text(message, "Subject").split())
    return ParsedMail(
        raw=raw,
        message=message,
        message_id=ids[0] if ids else None,
        sender=sender[:254],
        sender_name=" ".join(sender_name.split())[:NAME_LIMIT],
        subject=subject[:SUBJECT_LIMIT],
        recipients=_addresses(message, RECIPIENT_HEADERS),
        thread_ids=thread_ids,
        date=_date(message),
        text=strip_quoted(text)[:BODY_LIMIT] if text else "",
        files=tuple(files),
        skipped_files=tuple(skipped),
        delivery_statuses=_delivery_statuses(message),
    )


def parse(raw: bytes) -> ParsedMail:
    """Read a raw mail, or raise UnreadableMail saying why it cannot be read."""
    if not raw.strip():
        raise UnreadableMail("it is empty")
    if b"\x00" in raw:
        raise UnreadableMail("it contains NUL bytes, which no mail may hold (RFC 5322)")
    try:
        return _parse(raw)
    except UnreadableMail:
        raise
    except Exception as error:  # the stdlib parser can still fail on broken MIME
        raise UnreadableMail(
            f"its MIME structure is broken ({type(error).__name__}); send the mail as received"
        ) from error
