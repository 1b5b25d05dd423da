"""What a brand's in-house support costs, as the brand states it, per program."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base, CreatedMixin, IdMixin

Share = Numeric(5, 4, asdecimal=True)


class CostBaseline(IdMixin, CreatedMixin, Base):
    """The in-house team a program's work is compared with: its cost, time and targets.

    ``categories`` maps a category key to what the brand knows of it:
    ``{"monthly_volume": int | None, "aht_seconds": int | None}``; a missing volume is taken
    from the ticket history and a missing handle time from ``aht_seconds``.
    """

    __tablename__ = "cost_baselines"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), index=True)
    program_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), unique=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    # What one paid in-house hour costs: wage, benefits, seat, tools and management.
    hourly_cost: Mapped[Decimal]
    # The highest share of on-shift time agents spend handling contacts (occupancy cap).
    utilisation: Mapped[Decimal] = mapped_column(Share)
    # Paid time away from contacts: breaks, training, meetings, absence.
    shrinkage: Mapped[Decimal] = mapped_column(Share)
    aht_seconds: Mapped[int]
    service_level_target: Mapped[Decimal] = mapped_column(Share)
    answer_within_seconds: Mapped[int]
    # The hours a month the in-house team is open; contacts arrive evenly over them.
    hours_open_per_month: Mapped[int]
    # The share of contacts the blended figure sends to the crowd.
    gig_share: Mapped[Decimal] = mapped_column(Share)
    categories: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]
