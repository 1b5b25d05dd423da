import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gigcx.brands.enums import Complexity, RoutingPolicy, TimeBand
from gigcx.db.base import Base, CreatedMixin, IdMixin

DEFAULT_ROUTING_WEIGHTS: dict[str, float] = {
    "skill": 0.25,
    "language": 0.15,
    "quality": 0.30,
    "idle": 0.20,
    "load": 0.10,
}


class Brand(IdMixin, CreatedMixin, Base):
    """A client organisation: the tenant boundary."""

    __tablename__ = "brands"

    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # A demo brand: its simulated experts and customers keep working on their own (gigcx.demo).
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Brand admins must sign in with a second factor (an authenticator app).
    admins_need_second_factor: Mapped[bool] = mapped_column(default=False, server_default=false())


class Program(IdMixin, CreatedMixin, Base):
    """One brand's body of gig support work, with its rules."""

    __tablename__ = "programs"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3))
    languages: Mapped[list[Any]] = mapped_column(default=list)
    channels: Mapped[list[Any]] = mapped_column(default=list)
    is_open: Mapped[bool] = mapped_column(default=True)
    offer_ttl_seconds: Mapped[int] = mapped_column(default=120)
    first_response_seconds: Mapped[int] = mapped_column(default=15 * 60)
    resolution_seconds: Mapped[int] = mapped_column(default=24 * 3600)
    max_offers: Mapped[int] = mapped_column(default=5)
    max_wait_seconds: Mapped[int] = mapped_column(default=30 * 60)
    offers_at_once: Mapped[int] = mapped_column(default=1)
    # Queued work ages: each interval waited counts as one priority step (gigcx.routing.queue).
    aging_seconds: Mapped[int] = mapped_column(default=600, server_default="600")
    auto_resolve_after_seconds: Mapped[int] = mapped_column(default=72 * 3600)
    auto_close_after_seconds: Mapped[int] = mapped_column(default=7 * 24 * 3600)
    # What one contact costs the brand in house; dashboards compare the cost per resolution.
    inhouse_cost_per_contact: Mapped[Decimal | None]
    # Set when the program publishes a course: only experts with a current certification route.
    requires_certification: Mapped[bool] = mapped_column(default=False)
    routing_weights: Mapped[dict[str, Any]] = mapped_column(
        default=lambda: dict(DEFAULT_ROUTING_WEIGHTS)
    )
    # How routing orders eligible experts: the score (default) or another policy a brand
    # compared in a simulation (gigcx.routing.policies).
    routing_policy: Mapped[RoutingPolicy] = mapped_column(
        String(32), default=RoutingPolicy.SCORE, server_default=RoutingPolicy.SCORE.value
    )
    # Time bands of the rate card are read in this zone.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Fees the program pays for work other than resolutions; nobody pays to work.
    onboarding_fee: Mapped[Decimal] = mapped_column(default=Decimal("10.00"))
    review_fee: Mapped[Decimal] = mapped_column(default=Decimal("2.00"))
    # Share of the task rate paid for an escalation marked legitimate (0..1).
    escalation_share: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("0.5000"))
    # Median effective earnings per hour below which the brand is alerted.
    hourly_floor: Mapped[Decimal | None]

    categories: Mapped[list["ProgramCategory"]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="ProgramCategory.key"
    )
    rates: Mapped[list["Rate"]] = relationship(
        back_populates="program",
        cascade="all, delete-orphan",
        # A total order, the same on every database: base lines (no language, no band) first.
        order_by=lambda: (
            Rate.category_key,
            Rate.complexity,
            Rate.language.nulls_first(),
            Rate.time_band.nulls_first(),
        ),
    )

    __table_args__ = (UniqueConstraint("brand_id", "slug"),)

    def category(self, key: str) -> "ProgramCategory | None":
        return next((c for c in self.categories if c.key == key), None)

    def category_name(self, key: str | None) -> str:
        """The name people read for a category key ("Billing dispute" for billing_dispute)."""
        if not key:
            return ""
        category = self.category(key)
        if category is not None and category.name.strip():
            return category.name
        words = key.replace("_", " ").replace("-", " ").strip()
        return words[:1].upper() + words[1:]


class ProgramCategory(IdMixin, Base):
    """A kind of inquiry, with whether the crowd may take it and the skill level it needs."""

    __tablename__ = "program_categories"

    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    is_gig_eligible: Mapped[bool] = mapped_column(default=True)
    required_skill_level: Mapped[int] = mapped_column(default=1)

    program: Mapped[Program] = relationship(back_populates="categories")

    __table_args__ = (UniqueConstraint("program_id", "key"),)


class Rate(IdMixin, Base):
    """One rate-card line: what a resolved task pays.

    A line without language or time band is the base line of its category and complexity;
    lines with a language, a time band or both override it (see brands.service.resolve_rate).
    """

    __tablename__ = "rates"

    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    category_key: Mapped[str] = mapped_column(String(64))
    complexity: Mapped[Complexity] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    time_band: Mapped[TimeBand | None] = mapped_column(String(16))
    amount: Mapped[Decimal]

    program: Mapped[Program] = relationship(back_populates="rates")

    __table_args__ = (
        UniqueConstraint("program_id", "category_key", "complexity", "language", "time_band"),
    )
