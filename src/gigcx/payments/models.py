import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.payments.enums import EarningKind


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

    __table_args__ = (Index("ix_earnings_expert", "expert_id", "created_at"),)
