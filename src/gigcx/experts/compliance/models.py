import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base, IdMixin
from gigcx.experts.compliance.enums import IdentityStatus
from gigcx.kit import clock

PLATFORM_SCOPE = "platform"


class Agreement(IdMixin, Base):
    """One published version of the platform terms or of a brand's contractor agreement.

    Versions are never edited: publishing a change is a new version, and experts must accept
    the newest one of each scope before they get offers.
    """

    __tablename__ = "agreements"

    # "platform" for the platform terms, the brand's id (hex) for a brand's agreement: a column
    # that is never NULL, so (scope, version) is unique on every database.
    scope: Mapped[str] = mapped_column(String(40))
    brand_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("brands.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(default=clock.now)
    published_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    __table_args__ = (UniqueConstraint("scope", "version"),)


class AgreementAcceptance(IdMixin, Base):
    """An expert's acceptance of one agreement version, signed by typing their full name."""

    __tablename__ = "agreement_acceptances"

    agreement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"))
    full_name: Mapped[str] = mapped_column(String(200))
    accepted_at: Mapped[datetime] = mapped_column(default=clock.now)
    client_address: Mapped[str] = mapped_column(String(64), default="")
    # The hash of the text the expert was shown; equal to the agreement's unless it was altered.
    body_sha256: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("agreement_id", "expert_id"),
        Index("ix_agreement_acceptances_expert", "expert_id", "agreement_id"),
    )


class WorkAuthorisation(Base):
    """An expert's attestation that they may work in their country for a brand's kind of work."""

    __tablename__ = "work_authorisations"

    expert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True
    )
    brand_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True
    )
    # The attestation holds for this country only: moving elsewhere asks for a new one.
    country: Mapped[str] = mapped_column(String(2))
    statement: Mapped[str] = mapped_column(Text)
    attested_at: Mapped[datetime] = mapped_column(default=clock.now)


class IdentityCheck(IdMixin, Base):
    """A status report of an identity or background check from a provider (no documents)."""

    __tablename__ = "identity_checks"

    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(64))
    status: Mapped[IdentityStatus] = mapped_column(String(16))
    checked_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=clock.now)
    # The provider's webhook-id: a delivery seen once is refused when replayed.
    webhook_id: Mapped[str] = mapped_column(String(200), unique=True)
    reference: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (Index("ix_identity_checks_expert", "expert_id", "checked_at"),)


class BrandCompliance(Base):
    """A brand's compliance rules for experts; a brand without a row sets none."""

    __tablename__ = "brand_compliance"

    brand_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True
    )
    # ISO 3166-1 alpha-2 codes; an empty allowed list allows every country not denied.
    allowed_countries: Mapped[list[Any]] = mapped_column(default=list)
    denied_countries: Mapped[list[Any]] = mapped_column(default=list)
    requires_work_authorisation: Mapped[bool] = mapped_column(default=False, server_default=false())
    requires_identity_check: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Hours an expert may work for the brand per ISO week (UTC); None: no cap.
    max_hours_per_week: Mapped[int | None]
