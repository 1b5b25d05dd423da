import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from gigcx.db import notify
from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.privacy.orm import encrypt_columns
from gigcx.privacy.sealing import BrandOf, Classification

DEFAULT_ANSWER_SECONDS = 120


class ChatWidget(IdMixin, CreatedMixin, Base):
    """A brand's chat widget: its public key, where it may be embedded and what it asks."""

    __tablename__ = "chat_widgets"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), unique=True)
    # New chats become tickets of this program.
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    # What the brand pastes in its snippet (data-brand="..."); public, not a secret.
    public_key: Mapped[str] = mapped_column(String(40), unique=True)
    is_enabled: Mapped[bool] = mapped_column(default=False)
    # The sites that may embed the frame and call the chat API, e.g. "https://shop.example.com".
    allowed_origins: Mapped[list[Any]] = mapped_column(default=list)
    asks_name: Mapped[bool] = mapped_column(default=True)
    # Asked only when the program has more than one category.
    asks_topic: Mapped[bool] = mapped_column(default=True)
    # How long the visitor waits for an expert before the widget offers to answer by email.
    answer_seconds: Mapped[int] = mapped_column(default=DEFAULT_ANSWER_SECONDS)
    # Shown when nobody can answer now; empty: the standard sentence in the visitor's language.
    offline_message: Mapped[str] = mapped_column(Text, default="")


class ChatSession(IdMixin, CreatedMixin, Base):
    """One visitor's chat: its ticket, the visitor's secret, typing and "seen" state."""

    __tablename__ = "chat_sessions"

    widget_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chat_widgets.id"))
    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"), unique=True)
    # sha256 of the visitor token; the token itself is only ever with the visitor.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A keyed hash of the visitor's address, for the rate limit only.
    ip_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    # Where this server was reached, for the private link in mail sent later by a job.
    link_base: Mapped[str] = mapped_column(String(300))
    # The sequence number of the latest chat event (events are numbered 1, 2, ... per chat).
    last_seq: Mapped[int] = mapped_column(default=0)
    visitor_typing_until: Mapped[datetime | None]
    expert_typing_until: Mapped[datetime | None]
    typing_expert_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("experts.id"))
    # The latest event the visitor's widget showed them (their "seen").
    visitor_seen_seq: Mapped[int] = mapped_column(default=0)
    # The last time the visitor's widget was connected; long ago means replies go by email.
    visitor_active_at: Mapped[datetime]
    continue_by_email: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        Index("ix_chat_sessions_widget_created", "widget_id", "created_at"),
        Index("ix_chat_sessions_ip_created", "ip_hash", "created_at"),
    )


class ChatEvent(IdMixin, CreatedMixin, Base):
    """What a chat's widget is told, numbered per chat so a reconnect misses nothing."""

    __tablename__ = "chat_events"

    chat_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("chat_sessions.id", ondelete="CASCADE")
    )
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE")
    )
    is_from_visitor: Mapped[bool] = mapped_column(default=False)
    # The visitor's Idempotency-Key for the message it posted: a retry finds this event.
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    # What the widget shows, rendered from the customer's view of the ticket.
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        UniqueConstraint("chat_session_id", "seq"),
        UniqueConstraint("chat_session_id", "message_id"),
        UniqueConstraint("chat_session_id", "idempotency_key"),
    )


encrypt_columns(
    ChatEvent,
    brand=BrandOf("chat_session_id", parent=ChatSession.__table__),
    data=Classification.MESSAGE,
)


# The widget's presence heartbeat (visitor_active_at, every 30 s while a widget is open) shows
# nowhere at once, so a write of it alone wakes no feed: otherwise every open widget would wake
# its own stream, the customer's page and the expert's workspace every 30 s, in every process.
_SHOWN = tuple(
    attribute.key
    for attribute in inspect(ChatSession).column_attrs
    if attribute.key != "visitor_active_at"
)


def _chat_topics(chat: ChatSession, _session: Session) -> list[str]:
    if not notify.changed(chat, *_SHOWN):
        return []
    return [notify.ticket_topic(chat.ticket_id), notify.chat_topic(chat.id)]


def _event_topics(chat_event: ChatEvent, _session: Session) -> list[str]:
    return [notify.chat_topic(chat_event.chat_session_id)]


notify.watch(ChatSession, _chat_topics)
notify.watch(ChatEvent, _event_topics)
