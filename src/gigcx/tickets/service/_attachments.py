"""Files that come with messages: checked by their bytes, limited in size and number."""

import hashlib
import unicodedata
import uuid
from collections.abc import Sequence

import filetype  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.config import get_settings
from gigcx.tickets.errors import AttachmentNotFound, AttachmentTooLarge, AttachmentTypeRefused
from gigcx.tickets.models import Attachment, Message, Ticket
from gigcx.tickets.service._state import get_ticket

# Types whose bytes carry a signature ``filetype`` knows; the sender's claim is not trusted.
SIGNED_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)
# Types without a signature: taken when the bytes are UTF-8 text without control characters.
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".log": "text/plain", ".md": "text/plain"}
FILENAME_LIMIT = 255


def clean_filename(name: str) -> str:
    """A file name safe to show and to offer for download (no paths, no control characters)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable())
    base = base.strip().strip(".") or "attachment"
    if len(base) > FILENAME_LIMIT:
        stem, dot, suffix = base.rpartition(".")
        base = (stem[: FILENAME_LIMIT - len(suffix) - 1] + dot + suffix) if dot else base[:255]
    return base


def _is_plain_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\r\n\t" for ch in text)


def checked_type(filename: str, data: bytes) -> str:
    """The content type the bytes show, or AttachmentTypeRefused."""
    kind = filetype.guess(data)
    if kind is not None:
        if kind.mime in SIGNED_TYPES:
            return str(kind.mime)
        raise AttachmentTypeRefused(filename, str(kind.mime))
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in TEXT_TYPES and _is_plain_text(data):
        return TEXT_TYPES[suffix]
    raise AttachmentTypeRefused(filename, "an unknown or unsupported kind of file")


def check_attachment(filename: str, data: bytes) -> tuple[str, str]:
    """Return the clean name and checked type of a file, or raise why it is refused."""
    name = clean_filename(filename)
    limit = get_settings().max_attachment_bytes
    if len(data) > limit:
        raise AttachmentTooLarge(name, len(data), limit)
    return name, checked_type(name, data)


def add_attachment(
    session: Session, *, ticket: Ticket, message: Message | None, filename: str, data: bytes
) -> Attachment:
    """Store a file with a ticket's message after checking its size and type."""
    name, content_type = check_attachment(filename, data)
    attachment = Attachment(
        ticket_id=ticket.id,
        message_id=message.id if message is not None else None,
        filename=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
    session.add(attachment)
    session.flush()
    return attachment


def attachments_of(session: Session, ticket_id: uuid.UUID) -> Sequence[Attachment]:
    """A ticket's files, oldest first (callers decide who may see which)."""
    statement = (
        select(Attachment)
        .where(Attachment.ticket_id == ticket_id)
        .order_by(Attachment.created_at, Attachment.id)
    )
    return session.scalars(statement).all()


def get_attachment(
    session: Session, principal: Principal, ticket_id: uuid.UUID, attachment_id: uuid.UUID
) -> Attachment:
    """A file of a ticket the principal may read; files of internal notes are staff-only."""
    ticket = get_ticket(session, principal, ticket_id)
    attachment = session.scalar(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.ticket_id == ticket.id)
    )
    if attachment is None:
        raise AttachmentNotFound()
    if attachment.message_id is not None and not principal.is_brand_staff:
        message = session.get_one(Message, attachment.message_id)
        if message.is_internal:
            raise AttachmentNotFound()
    return attachment
