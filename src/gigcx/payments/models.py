import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.payments.enums import EarningKind, PayoutMethodKind, TaxForm, TinType
from gigcx.privacy.orm import encrypt_columns
from gigcx.privacy.redaction import redact_cards_on_set
from gigcx.privacy.sealing import BrandOf, Classification


class Surge(IdMixin, CreatedMixin, Base):
    """A multiplier announced before it applies, for a fixed window, to one program and language."""

    __tablename__ = "surges"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    language: Mapped[str] = mapped_column(String(8))
    multiplier: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    # The demand and supply that set it off, kept so the multiplier can be checked.
    waiting: Mapped[int]
    capacity: Mapped[int]
    announced_at: Mapped[datetime]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]

    __table_args__ = (Index("ix_surges_program_window", "program_id", "language", "starts_at"),)

    def terms(self) -> dict[str, Any]:
        """What an earning stores about the surge that touched it."""
        return {
            "id": str(self.id),
            "multiplier": str(self.multiplier),
            "announced_at": self.announced_at.isoformat(),
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
        }


class Earning(IdMixin, CreatedMixin, Base):
    """An immutable ledger entry that owes an expert money; corrections are new entries."""

    __tablename__ = "earnings"

    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"))
    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tickets.id"))
    kind: Mapped[EarningKind] = mapped_column(String(16))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(Text, default="")
    # What this entry pays for ("task:<ticket>:<expert>", "reversal:<earning>"): unique, so the
    # same thing is never paid twice however many runners race.
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("earnings.id"))
    surge_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("surges.id"))
    # How the amount was reached: rate line, surge terms, rule or fee, as shown to the expert.
    terms: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (Index("ix_earnings_expert", "expert_id", "created_at"),)


class Payout(IdMixin, CreatedMixin, Base):
    """What one brand pays one expert in one currency for one ISO week."""

    __tablename__ = "payouts"

    week: Mapped[str] = mapped_column(String(8))
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"))
    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    # Earnings created before this moment (the end of the week) were eligible.
    cutoff: Mapped[datetime]
    total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    line_count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        UniqueConstraint("week", "expert_id", "brand_id", "currency"),
        Index("ix_payouts_expert", "expert_id", "created_at"),
    )


class PayoutMethod(IdMixin, CreatedMixin, Base):
    """Where an expert's payouts go: a bank account (IBAN) or a PayPal address.

    The IBAN is personal data: pages and the API show its last four characters only.
    """

    __tablename__ = "payout_methods"

    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"), unique=True)
    kind: Mapped[PayoutMethodKind] = mapped_column(String(16))
    account_holder: Mapped[str] = mapped_column(Text, default="")
    iban: Mapped[str] = mapped_column(Text, default="")
    paypal_email: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]


class PayoutRunRecord(IdMixin, CreatedMixin, Base):
    """What one payout run settled for one brand, for the brand's payout schedule."""

    __tablename__ = "payout_runs"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    week: Mapped[str] = mapped_column(String(8))
    # schedule (the job runner), manual ("Settle now"), cli or api.
    trigger: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID | None]
    payouts: Mapped[int] = mapped_column(default=0)
    lines: Mapped[int] = mapped_column(default=0)
    totals: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Experts left unpaid because they have no payout method yet.
    held: Mapped[int] = mapped_column(default=0)
    carried: Mapped[int] = mapped_column(default=0)

    __table_args__ = (Index("ix_payout_runs_brand", "brand_id", "created_at"),)


class PayoutLine(Base):
    """One earning settled by one payout; the key is the earning, so it is settled only once."""

    __tablename__ = "payout_lines"

    earning_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("earnings.id"), primary_key=True)
    payout_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payouts.id"), index=True)
    amount: Mapped[Decimal]


class BonusRule(IdMixin, CreatedMixin, Base):
    """A published weekly bonus: met thresholds in a week pay a fixed amount once."""

    __tablename__ = "bonus_rules"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    min_tasks: Mapped[int] = mapped_column(default=1)
    min_csat: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    min_qa: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    amount: Mapped[Decimal]
    is_active: Mapped[bool] = mapped_column(default=True)


class TaxProfile(IdMixin, CreatedMixin, Base):
    """An expert's W-9 or W-8BEN details, certified by a typed signature.

    ``tax_id`` is personal data: pages and the API show its last four characters only, to the
    expert and to staff alike.
    """

    __tablename__ = "tax_profiles"

    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"), unique=True)
    form: Mapped[TaxForm] = mapped_column(String(8))
    legal_name: Mapped[str] = mapped_column(String(200))
    business_name: Mapped[str] = mapped_column(String(200), default="")
    # W-9 only: the federal tax classification (line 3a).
    tax_classification: Mapped[str] = mapped_column(String(32), default="")
    # W-8BEN only: country of citizenship (ISO 3166-1 alpha-2).
    citizenship_country: Mapped[str] = mapped_column(String(2), default="")
    # The address (a W-9's; a W-8BEN's permanent residence), country included.
    street: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2))
    tin_type: Mapped[TinType] = mapped_column(String(8))
    tax_id: Mapped[str] = mapped_column(Text)
    date_of_birth: Mapped[date | None]
    treaty_country: Mapped[str] = mapped_column(String(2), default="")
    treaty_article: Mapped[str] = mapped_column(String(100), default="")
    signature_name: Mapped[str] = mapped_column(String(200))
    certified_at: Mapped[datetime]
    updated_at: Mapped[datetime]


redact_cards_on_set(Earning.description)


encrypt_columns(TaxProfile, brand=BrandOf(), tax_id=Classification.FINANCIAL)
encrypt_columns(
    PayoutMethod,
    brand=BrandOf(),
    account_holder=Classification.FINANCIAL,
    iban=Classification.FINANCIAL,
    paypal_email=Classification.FINANCIAL,
)
