import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.channels.helpdesk.enums import Direction, Provider, SyncKind, SyncStatus
from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.privacy.orm import encrypt_columns
from gigcx.privacy.sealing import BrandOf, Classification


class HelpdeskConnection(IdMixin, CreatedMixin, Base):
    """A brand's helpdesk account that GigCX takes tickets from and writes answers back to."""

    __tablename__ = "helpdesk_connections"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    provider: Mapped[Provider] = mapped_column(String(16), default=Provider.ZENDESK)
    # Tickets taken in become tickets of this program, in this category unless the program's
    # intent model picks one.
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    category: Mapped[str] = mapped_column(String(64), default="")
    # Zendesk: https://<subdomain>.zendesk.com; base_url overrides it (tests, staging).
    subdomain: Mapped[str] = mapped_column(String(63))
    base_url: Mapped[str] = mapped_column(String(500), default="")
    # Basic auth "{email}/token:{api_token}"; the token is never shown again once saved.
    email: Mapped[str] = mapped_column(String(254))
    api_token: Mapped[str] = mapped_column(Text)
    # The helpdesk user GigCX writes comments as.
    agent_id: Mapped[int] = mapped_column(BigInteger)
    # Which tickets GigCX takes: any of these forms, groups or tags (all empty: none).
    form_ids: Mapped[list[Any]] = mapped_column(default=list)
    group_ids: Mapped[list[Any]] = mapped_column(default=list)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    # Escalated tickets go back to this group.
    handback_group_id: Mapped[int | None] = mapped_column(BigInteger)
    poll_seconds: Mapped[int] = mapped_column(default=300)
    # The account's budget for GigCX's calls (Zendesk's plan limit, less what others use).
    requests_per_minute: Mapped[int] = mapped_column(default=200)
    is_active: Mapped[bool] = mapped_column(default=True)
    # The incremental export: where the next pull starts.
    start_time: Mapped[datetime]
    cursor: Mapped[str | None] = mapped_column(String(500))
    next_pull_at: Mapped[datetime | None]
    last_pulled_at: Mapped[datetime | None]
    last_pushed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("brand_id", "provider"),)


class HelpdeskLink(IdMixin, CreatedMixin, Base):
    """A helpdesk ticket and the GigCX ticket made of it."""

    __tablename__ = "helpdesk_links"

    connection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("helpdesk_connections.id"))
    external_ticket_id: Mapped[int] = mapped_column(BigInteger)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"), unique=True)
    requester_id: Mapped[int] = mapped_column(BigInteger)
    # The helpdesk's updated_at when the ticket was last read (for the record).
    external_updated_at: Mapped[str] = mapped_column(String(40), default="")

    __table_args__ = (UniqueConstraint("connection_id", "external_ticket_id"),)


class HelpdeskComment(IdMixin, CreatedMixin, Base):
    """A helpdesk comment and our message: taken in, or written by us. Nothing twice."""

    __tablename__ = "helpdesk_comments"

    connection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("helpdesk_connections.id"))
    link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("helpdesk_links.id"), index=True)
    # None for a write we know landed (its marker tag is on the ticket) but whose comment we
    # could not single out afterwards.
    external_comment_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("messages.id"), unique=True)
    direction: Mapped[Direction] = mapped_column(String(8))

    __table_args__ = (UniqueConstraint("connection_id", "external_comment_id"),)


class HelpdeskSync(IdMixin, CreatedMixin, Base):
    """One write to the helpdesk (outbox): queued with the change, done once, never twice.

    ``key`` names what it carries (a message, a resolution, an escalation), so an event handed
    on twice queues one write. ``marker`` is a tag written with it in the same update: a retry
    after a crash looks for it on the ticket before writing again.
    """

    __tablename__ = "helpdesk_syncs"

    connection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("helpdesk_connections.id"))
    link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("helpdesk_links.id"))
    key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[SyncKind] = mapped_column(String(16))
    message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("messages.id"))
    # The reason of an escalation (the private note of a hand back).
    note: Mapped[str] = mapped_column(Text, default="")
    marker: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[SyncStatus] = mapped_column(String(16), default=SyncStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("connection_id", "key"),
        Index("ix_helpdesk_syncs_link_status", "link_id", "status"),
    )


encrypt_columns(HelpdeskConnection, brand=BrandOf("brand_id"), api_token=Classification.SECRET)
