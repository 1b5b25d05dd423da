import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.privacy.orm import encrypt_columns
from gigcx.privacy.sealing import BrandOf, Classification
from gigcx.rights.enums import ErasureCause, RequestKind, RequestStatus, SubjectKind

DEFAULT_EXPORT_KEEP_DAYS = 7


class PrivacyRequest(IdMixin, CreatedMixin, Base):
    """A request to export or erase everything about one customer of a brand, or one expert.

    The subject is kept by id and by a keyed hash of their email, never the email itself: the
    row outlives an erasure and must not bring the address back.
    """

    __tablename__ = "privacy_requests"

    # None for an expert: experts belong to the platform, not to one brand.
    brand_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("brands.id"))
    kind: Mapped[RequestKind] = mapped_column(String(16))
    subject_kind: Mapped[SubjectKind] = mapped_column(String(16))
    subject_id: Mapped[uuid.UUID]
    email_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[RequestStatus] = mapped_column(String(16), default=RequestStatus.QUEUED)
    requested_by_role: Mapped[str] = mapped_column(String(32))
    requested_by_id: Mapped[uuid.UUID | None]
    finished_at: Mapped[datetime | None]
    # What was exported or wiped, by kind of record: {"tickets": 3, "messages": 9, ...}.
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    detail: Mapped[str] = mapped_column(Text, default="")
    # The export's zip, downloadable by the brand's admins until ``expires_at``.
    archive: Mapped[bytes | None] = mapped_column(LargeBinary)
    archive_size: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_privacy_requests_brand", "brand_id", "created_at"),
        Index("ix_privacy_requests_subject", "subject_kind", "subject_id"),
    )


class LegalHold(IdMixin, CreatedMixin, Base):
    """Keeps a ticket or everything of a customer from erasure and retention until released."""

    __tablename__ = "legal_holds"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), index=True)
    # Exactly one of the two.
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    set_by_role: Mapped[str] = mapped_column(String(32))
    set_by_id: Mapped[uuid.UUID | None]
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[uuid.UUID | None]
    release_reason: Mapped[str] = mapped_column(Text, default="")


class RetentionPolicy(IdMixin, CreatedMixin, Base):
    """How long a brand keeps its customers' data; a None period keeps that data for ever."""

    __tablename__ = "retention_policies"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), unique=True)
    # Closed tickets are anonymised (content wiped, numbers kept) this many days after closing.
    closed_ticket_days: Mapped[int | None]
    # Raw inbound mail, outgoing mail bodies and attachments go this many days after arriving.
    raw_content_days: Mapped[int | None]
    # Audit events older than this many years are deleted.
    audit_years: Mapped[int | None]
    # Export archives are deleted this many days after they were made.
    export_keep_days: Mapped[int] = mapped_column(default=DEFAULT_EXPORT_KEEP_DAYS)
    updated_at: Mapped[datetime | None]


class TicketErasure(Base):
    """A ticket whose content was wiped (by an erasure or by retention); wiped only once."""

    __tablename__ = "ticket_erasures"

    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    cause: Mapped[ErasureCause] = mapped_column(String(16))
    erased_at: Mapped[datetime]


# An export holds everything about a person until it expires.
encrypt_columns(PrivacyRequest, brand=BrandOf("brand_id"), archive=Classification.PERSONAL)
