import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.channels.email.enums import (
    InboundOutcome,
    InboundReason,
    InboundTransport,
    OutboundStatus,
)
from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.privacy.orm import encrypt_columns
from gigcx.privacy.sealing import BrandOf, Classification


class OutboundEmail(IdMixin, CreatedMixin, Base):
    """A mail GigCX sends (or tried to): to a customer, an expert or a brand's staff."""

    __tablename__ = "outbound_emails"

    brand_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("brands.id"))
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tickets.id"))
    # What it is, for the ticket's history and for tests: "reply", "acknowledgement", ...
    kind: Mapped[str] = mapped_column(String(32))
    to_address: Mapped[str] = mapped_column(Text)
    from_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    # Message-ID, In-Reply-To, References, Reply-To, Auto-Submitted, ... as sent.
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[OutboundStatus] = mapped_column(String(16), default=OutboundStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_outbound_emails_ticket", "ticket_id", "created_at"),)


class Mailbox(IdMixin, CreatedMixin, Base):
    """A brand's support address: where its customers write and where replies come from."""

    __tablename__ = "mailboxes"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), index=True)
    # New mail to this address becomes a ticket of this program.
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    address: Mapped[str] = mapped_column(String(254), unique=True)
    # The sender's name on mail from this mailbox, e.g. "Alpenglow Support".
    display_name: Mapped[str] = mapped_column(String(120), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    # Outgoing mail through the brand's own server; empty: GIGCX_SMTP_URL.
    smtp_url: Mapped[str] = mapped_column(Text, default="")
    # Polling by IMAP (optional): imap://user:password@host:143/INBOX or imaps://...:993/INBOX.
    imap_url: Mapped[str] = mapped_column(Text, default="")
    poll_seconds: Mapped[int] = mapped_column(default=60)
    imap_uid_validity: Mapped[int | None]
    imap_last_uid: Mapped[int] = mapped_column(default=0)
    last_polled_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class InboundEmail(IdMixin, CreatedMixin, Base):
    """A mail that came into a mailbox, kept as received, and what became of it.

    One row per mail and mailbox: a redelivery (same Message-ID, or the same bytes when it has
    none) finds this row and stores nothing again, whichever transport brought it.
    """

    __tablename__ = "inbound_emails"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    mailbox_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mailboxes.id"))
    # sha256 of "mid:" + the Message-ID, or of "raw:" + the bytes when the mail has none.
    dedup_key: Mapped[str] = mapped_column(String(64))
    # The Message-ID header as sent (cut to 255), for threading replies to this mail.
    header_message_id: Mapped[str | None] = mapped_column(String(255), index=True)
    sender: Mapped[str] = mapped_column(Text, default="")
    # The sender's blind index, for the per-sender flood limit.
    sender_index: Mapped[str] = mapped_column(String(64), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    transport: Mapped[InboundTransport] = mapped_column(String(8))
    size: Mapped[int]
    # The original mail, byte for byte (the stored message is its text without quoted history).
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    outcome: Mapped[InboundOutcome] = mapped_column(String(16))
    reason: Mapped[InboundReason | None] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    # The ticket message this mail became.
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL")
    )
    # False when no robot may answer this mail (auto-replies, bounces, floods, mail older than a
    # day on its first import, anything ignored or refused): no acknowledgement is sent.
    may_acknowledge: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        UniqueConstraint("mailbox_id", "dedup_key"),
        Index("ix_inbound_emails_sender", "mailbox_id", "sender_index", "created_at"),
    )


_BRAND = BrandOf("brand_id")
encrypt_columns(
    OutboundEmail,
    brand=_BRAND,
    to_address=Classification.PERSONAL,
    subject=Classification.MESSAGE,
    text_body=Classification.MESSAGE,
)
encrypt_columns(
    InboundEmail,
    brand=_BRAND,
    blind_indexes={"sender_index": "sender"},
    sender=Classification.PERSONAL,
    subject=Classification.MESSAGE,
    raw=Classification.MESSAGE,
)
encrypt_columns(
    Mailbox, brand=_BRAND, smtp_url=Classification.SECRET, imap_url=Classification.SECRET
)
