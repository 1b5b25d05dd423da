import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.quality.enums import RatingReason


class Rating(IdMixin, CreatedMixin, Base):
    """A customer's CSAT response for a ticket, with its reason code."""

    __tablename__ = "ratings"

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"), unique=True)
    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), index=True)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    expert_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("experts.id"), index=True)
    score: Mapped[int]
    reason: Mapped[RatingReason] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)
