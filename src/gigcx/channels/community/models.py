import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.channels.community.enums import DigestFrequency, FeedbackKind, FeedbackStatus
from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.kit import clock


class AlertSettings(Base):
    """How an expert wants to hear of new offers; every alert is off until they opt in."""

    __tablename__ = "expert_alert_settings"

    expert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True
    )
    # A browser notification and a short sound on the offer feed page, and the count of
    # pending offers in the tab's title.
    is_browser_on: Mapped[bool] = mapped_column(default=False)
    is_sound_on: Mapped[bool] = mapped_column(default=False)
    # A mail for each new offer (program, topic, language, pay and deadline; nothing of the
    # customer's).
    is_email_on: Mapped[bool] = mapped_column(default=False)
    digest: Mapped[DigestFrequency] = mapped_column(String(16), default=DigestFrequency.OFF)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class OfferDigest(IdMixin, CreatedMixin, Base):
    """One digest period of an expert's missed offers, written once, mailed when there were
    any: a second run for the same period finds it and does nothing."""

    __tablename__ = "offer_digests"

    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"))
    # "2026-12-03" for a daily digest, "2026-W49" for a weekly one.
    period: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    offer_count: Mapped[int] = mapped_column(default=0)
    # What the missed offers would have paid, per currency: {"USD": "12.50"}.
    missed_pay: Mapped[dict[str, Any]] = mapped_column(default=dict)
    email_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("outbound_emails.id"))

    __table_args__ = (UniqueConstraint("expert_id", "period"),)


class Announcement(IdMixin, CreatedMixin, Base):
    """A brand's message to the experts of one of its programs."""

    __tablename__ = "announcements"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # Mailed to the program's active experts when posted (how many mails were queued).
    is_emailed: Mapped[bool] = mapped_column(default=False)
    emailed_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime | None]
    # Retired announcements are no longer shown to experts.
    retired_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_announcements_program", "program_id", "created_at"),
        Index("ix_announcements_brand", "brand_id", "created_at"),
    )


class AnnouncementRead(Base):
    """An expert marked an announcement read."""

    __tablename__ = "announcement_reads"

    announcement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True
    )
    expert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(default=clock.now)


class Feedback(IdMixin, CreatedMixin, Base):
    """An expert's word to the brand on a program or a ticket they worked, and its answer."""

    __tablename__ = "expert_feedback"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tickets.id"))
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"))
    kind: Mapped[FeedbackKind] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    # The approved answer the feedback is about, if any.
    answer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("answers.id"))
    status: Mapped[FeedbackStatus] = mapped_column(String(16), default=FeedbackStatus.OPEN)
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    replied_at: Mapped[datetime | None]
    # False until the expert opened their feedback after it was answered (their notice).
    is_reply_seen: Mapped[bool] = mapped_column(default=True)
    closed_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_expert_feedback_brand_status", "brand_id", "status", "created_at"),
        Index("ix_expert_feedback_expert", "expert_id", "created_at"),
    )
