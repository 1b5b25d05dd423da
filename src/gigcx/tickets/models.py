import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.util import identity_key

from gigcx.brands.enums import Complexity
from gigcx.brands.models import Program
from gigcx.db import notify
from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.privacy.orm import encrypt_columns
from gigcx.privacy.redaction import redact_cards_on_set
from gigcx.privacy.sealing import BrandOf, Classification
from gigcx.tickets.enums import (
    AssignmentEnd,
    AuthorKind,
    InquiryStatus,
    OfferStatus,
    Priority,
    TicketStatus,
)


class Customer(IdMixin, CreatedMixin, Base):
    """A brand's end customer who writes in."""

    __tablename__ = "customers"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    # Encrypted; looked up by email_index only (tickets.queries.customer_by_email).
    email: Mapped[str] = mapped_column(Text)
    email_index: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text, default="")
    # A mail to this address bounced for good (a 5.x.x delivery-status report): whoever
    # replies is told the customer may not see replies by email.
    email_undeliverable: Mapped[bool] = mapped_column(default=False, server_default=false())
    email_undeliverable_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("brand_id", "email_index"),)


class Ticket(IdMixin, CreatedMixin, Base):
    """One customer inquiry and its conversation."""

    __tablename__ = "tickets"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(64))
    complexity: Mapped[Complexity] = mapped_column(String(16), default=Complexity.MEDIUM)
    priority: Mapped[int] = mapped_column(default=Priority.NORMAL)
    subject: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[TicketStatus] = mapped_column(String(24), default=TicketStatus.NEW)
    status_changed_at: Mapped[datetime]
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("experts.id"), index=True)
    last_expert_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("experts.id"))
    offer_count: Mapped[int] = mapped_column(default=0)
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    # When the ticket joined the queue in its current round (intake, or the latest reopening);
    # it keeps its place through declines and lapsed offers. Dispatch ages it from here.
    queued_at: Mapped[datetime | None]
    # The latest customer follow-up that reopened a resolved ticket: the max-wait and resolution
    # clocks run again from here.
    reopened_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    first_response_due_at: Mapped[datetime]
    resolution_due_at: Mapped[datetime]
    waiting_since: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    first_response_breached: Mapped[bool] = mapped_column(default=False)
    resolution_breached: Mapped[bool] = mapped_column(default=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str | None] = mapped_column(String(64))

    program: Mapped[Program] = relationship()
    customer: Mapped[Customer] = relationship()
    messages: Mapped[list["Message"]] = relationship(
        order_by="Message.created_at", cascade="all, delete-orphan"
    )

    @property
    def category_name(self) -> str:
        """The program's name for the ticket's category."""
        return self.program.category_name(self.category)

    __table_args__ = (
        UniqueConstraint("brand_id", "idempotency_key"),
        Index("ix_tickets_brand_status", "brand_id", "status", "created_at"),
        Index("ix_tickets_queue", "program_id", "status", "priority", "queued_at"),
    )


class Message(IdMixin, CreatedMixin, Base):
    __tablename__ = "messages"

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_kind: Mapped[AuthorKind] = mapped_column(String(16))
    author_id: Mapped[uuid.UUID | None]
    body: Mapped[str] = mapped_column(Text)
    is_internal: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index("ix_messages_ticket", "ticket_id", "created_at"),)


class Attachment(IdMixin, CreatedMixin, Base):
    """A file that came with a message (mail, chat, contact page) or an expert's reply."""

    __tablename__ = "attachments"

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE")
    )
    filename: Mapped[str] = mapped_column(String(255))
    # The type its bytes show (checked), not only what the sender claimed.
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_attachments_ticket", "ticket_id", "created_at"),)


class Assignment(IdMixin, Base):
    """The period in which an expert owns a ticket."""

    __tablename__ = "assignments"

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"))
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"))
    channel: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[AssignmentEnd | None] = mapped_column(String(16))

    __table_args__ = (
        # At most one open assignment per ticket, enforced by the database itself.
        Index(
            "uq_assignments_open_ticket",
            "ticket_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
        # An expert's tickets, held now or before (what they may read).
        Index("ix_assignments_expert_ticket", "expert_id", "ticket_id"),
        Index(
            "ix_assignments_open_expert",
            "expert_id",
            "channel",
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )


class Offer(IdMixin, CreatedMixin, Base):
    """A ticket offered to one expert until a deadline, with why that expert was chosen."""

    __tablename__ = "offers"

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"), index=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"))
    status: Mapped[OfferStatus] = mapped_column(String(16), default=OfferStatus.PENDING)
    rank: Mapped[int] = mapped_column(default=1)
    score: Mapped[float]
    breakdown: Mapped[dict[str, Any]] = mapped_column(default=dict)
    expires_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    # What the task pays, frozen when the offer is made: the ticket's category, complexity and
    # language, the offer's moment and the rate-card line in force then. The offer card, the
    # workspace and the earning are all priced from it (payments.quote_offer).
    pay_basis: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        Index(
            "ix_offers_pending_expert",
            "expert_id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )


class Inquiry(IdMixin, CreatedMixin, Base):
    """What a customer sent, stored as it came in, until a job runner makes it a ticket.

    The inquiry's id is the ticket's: the API answers with it at once. Its Idempotency-Key
    finds a replay before the ticket exists. Once taken in, ``payload`` is emptied and the row
    stays as the record of the key.
    """

    __tablename__ = "inquiries"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    # Who sent it (a role of gigcx.auth.enums.Role and the id of the key or user).
    actor_role: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[uuid.UUID | None]
    # The TicketCreate as sent, sealed; None once taken in or rejected.
    payload: Mapped[dict[str, Any] | None] = mapped_column()
    status: Mapped[InquiryStatus] = mapped_column(String(16), default=InquiryStatus.RECEIVED)
    # The ticket it became: its own id, or an earlier ticket sent with the same key.
    ticket_id: Mapped[uuid.UUID | None]
    problem: Mapped[str | None] = mapped_column(Text)
    taken_in_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("brand_id", "idempotency_key"),)


redact_cards_on_set(Ticket.subject, Ticket.escalation_reason, Message.body)

_PERSONAL, _MESSAGE = Classification.PERSONAL, Classification.MESSAGE
encrypt_columns(
    Customer,
    brand=BrandOf("brand_id"),
    blind_indexes={"email_index": "email"},
    email=_PERSONAL,
    name=_PERSONAL,
    email_undeliverable_reason=_PERSONAL,
)
encrypt_columns(Ticket, brand=BrandOf("brand_id"), subject=_MESSAGE, escalation_reason=_MESSAGE)
encrypt_columns(Message, brand=BrandOf("ticket_id", parent=Ticket.__table__), body=_MESSAGE)
encrypt_columns(Inquiry, brand=BrandOf("brand_id"), payload=_MESSAGE)
encrypt_columns(Attachment, brand=BrandOf("ticket_id", parent=Ticket.__table__), data=_MESSAGE)


def brand_of_ticket(session: Session, ticket_id: uuid.UUID) -> uuid.UUID | None:
    """The ticket's brand, from the session if it holds the ticket (usable inside a flush)."""
    ticket = session.identity_map.get(identity_key(Ticket, ticket_id))
    if isinstance(ticket, Ticket):
        return ticket.brand_id
    brand_id: uuid.UUID | None = session.connection().scalar(
        select(Ticket.brand_id).where(Ticket.id == ticket_id)
    )
    return brand_id


def _ticket_topics(ticket: Ticket, _session: Session) -> list[str]:
    return [notify.ticket_topic(ticket.id), notify.brand_topic(ticket.brand_id)]


def _conversation_topics(row: Message | Attachment, _session: Session) -> list[str]:
    return [notify.ticket_topic(row.ticket_id)]


def _offer_topics(offer: Offer, session: Session) -> list[str]:
    topics = [notify.expert_topic(offer.expert_id)]
    brand_id = brand_of_ticket(session, offer.ticket_id)
    if brand_id is not None:
        topics.append(notify.brand_topic(brand_id))
    return topics


notify.watch(Ticket, _ticket_topics)
notify.watch(Message, _conversation_topics)
notify.watch(Attachment, _conversation_topics)
notify.watch(Offer, _offer_topics)
