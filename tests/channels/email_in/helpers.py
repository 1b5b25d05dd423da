"""Mailboxes and mails for the inbound mail tests."""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand, Program
from gigcx.channels.email import inbound
from gigcx.channels.email.enums import InboundTransport
from gigcx.channels.email.models import InboundEmail, Mailbox
from gigcx.kit import clock
from gigcx.tickets.models import Message, Ticket
from tests.factories.brands import make_brand, make_program

_numbers = itertools.count(1)
# The smallest valid PNG: its signature is what the attachment check reads.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "9c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass
class Desk:
    """A brand with one program and its support mailbox."""

    brand: Brand
    program: Program
    mailbox: Mailbox

    @property
    def address(self) -> str:
        return self.mailbox.address


def make_desk(session: Session, *, imap_url: str = "") -> Desk:
    brand = make_brand(session)
    program = make_program(session, brand)
    mailbox = Mailbox(
        brand_id=brand.id,
        program_id=program.id,
        address=f"support@desk{next(_numbers)}.example",
        display_name=f"{brand.name} Support",
        imap_url=imap_url,
        poll_seconds=60,
        imap_last_uid=0,
    )
    session.add(mailbox)
    session.flush()
    return Desk(brand=brand, program=program, mailbox=mailbox)


def make_mail(
    *,
    to: str,
    sender: str = "Carla Mendes <carla@example.com>",
    subject: str = "My order 1234 never arrived",
    text: str | None = "Hello, my order 1234 never arrived. Where is it?",
    html: str | None = None,
    message_id: str | None = "new",
    headers: dict[str, str] | None = None,
    files: Sequence[tuple[str, bytes, str]] = (),
    written: datetime | None = None,
) -> bytes:
    """A mail as a mail client sends it, with CRLF line ends, written ``written`` (default: now)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(written or clock.now())
    if message_id == "new":
        message["Message-ID"] = make_msgid(domain="mail.example.com")
    elif message_id is not None:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for filename, data, content_type in files:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes(policy=policy.SMTP)


def take(session: Session, desk: Desk, raw: bytes, **options: object) -> inbound.IngestResult:
    return inbound.ingest(
        session,
        desk.mailbox,
        raw,
        transport=options.pop("transport", InboundTransport.HTTP),  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


def tickets_of(session: Session, desk: Desk) -> list[Ticket]:
    return list(
        session.scalars(
            select(Ticket).where(Ticket.brand_id == desk.brand.id).order_by(Ticket.created_at)
        )
    )


def messages_of(session: Session, ticket_id: object) -> list[Message]:
    return list(
        session.scalars(
            select(Message).where(Message.ticket_id == ticket_id).order_by(Message.created_at)
        )
    )


def inbound_count(session: Session, desk: Desk) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(InboundEmail)
            .where(InboundEmail.mailbox_id == desk.mailbox.id)
        )
        or 0
    )
