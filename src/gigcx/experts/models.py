import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Connection,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    column,
    select,
    table,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from gigcx.db import notify
from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.experts.enums import EnrollmentStatus, PausedBy, Presence, Tier
from gigcx.kit import clock


class Expert(IdMixin, CreatedMixin, Base):
    """An independent gig worker on the platform."""

    __tablename__ = "experts"

    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    presence: Mapped[Presence] = mapped_column(String(16), default=Presence.OFFLINE)
    presence_changed_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_assigned_at: Mapped[datetime | None]
    # Offers the expert let lapse since they last answered one or set their presence; at the
    # platform's limit (GIGCX_LAPSES_BEFORE_AWAY) the expert is set away.
    offers_lapsed_in_a_row: Mapped[int] = mapped_column(default=0, server_default="0")
    # Where payouts go (for example an IBAN or a PayPal address), as the expert wrote it.
    payout_details: Mapped[str] = mapped_column(Text, default="")

    languages: Mapped[list["ExpertLanguage"]] = relationship(
        cascade="all, delete-orphan", order_by="ExpertLanguage.language", lazy="selectin"
    )
    skills: Mapped[list["ExpertSkill"]] = relationship(
        cascade="all, delete-orphan", order_by="ExpertSkill.skill", lazy="selectin"
    )
    capacities: Mapped[list["ExpertCapacity"]] = relationship(
        cascade="all, delete-orphan", order_by="ExpertCapacity.channel", lazy="selectin"
    )

    __table_args__ = (
        Index("ix_experts_presence", "presence"),
        # Covers what routing reads of each eligible expert (see gigcx.routing.queries).
        Index("ix_experts_routing", "id", "presence", "presence_changed_at", "last_assigned_at"),
    )


class ExpertLanguage(Base):
    __tablename__ = "expert_languages"

    expert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    proficiency: Mapped[int]

    __table_args__ = (Index("ix_expert_languages_language", "language", "expert_id"),)


class ExpertSkill(Base):
    __tablename__ = "expert_skills"

    expert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[int]


class ExpertCapacity(Base):
    """How many tickets of a channel an expert works at once."""

    __tablename__ = "expert_capacities"

    expert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    max_concurrent: Mapped[int]


class Enrollment(IdMixin, CreatedMixin, Base):
    """An expert's membership of a program, with its certification, quality score and tier."""

    __tablename__ = "enrollments"

    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"), index=True)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    status: Mapped[EnrollmentStatus] = mapped_column(String(16), default=EnrollmentStatus.APPLIED)
    status_changed_at: Mapped[datetime] = mapped_column(default=clock.now)
    # Set while paused: the expert's own pause or the brand's (only the one who paused resumes).
    paused_by: Mapped[PausedBy | None] = mapped_column(String(16))
    rating_count: Mapped[int] = mapped_column(default=0)
    rating_sum: Mapped[int] = mapped_column(default=0)
    # Kept up to date by the training and quality domains; routing reads them.
    certified_until: Mapped[datetime | None]
    quality_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2, asdecimal=True))
    tier: Mapped[Tier] = mapped_column(String(16), default=Tier.NEW)

    __table_args__ = (
        UniqueConstraint("expert_id", "program_id"),
        Index("ix_enrollments_program_status", "program_id", "status"),
    )


class EnrollmentDecision(IdMixin, CreatedMixin, Base):
    """A person's decision to restrict an enrollment (pause or remove), with the reason given.

    Shown to the expert as written; the expert can ask for a human review of it.
    """

    __tablename__ = "enrollment_decisions"

    enrollment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enrollments.id"), index=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"), index=True)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    from_status: Mapped[EnrollmentStatus] = mapped_column(String(16))
    to_status: Mapped[EnrollmentStatus] = mapped_column(String(16))
    decided_by_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # The name as it was when deciding, so the expert knows who decided even if it changes.
    decided_by_name: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)


class PresenceSpan(IdMixin, Base):
    """A stretch of time an expert was available for offers; open while they still are.

    Written only by ``experts.service`` where presence changes; planning reads it to learn when
    experts are usually online.
    """

    __tablename__ = "presence_spans"

    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_presence_spans_expert", "expert_id", "started_at"),)


class ExpertAvailability(IdMixin, Base):
    """Hours an expert says they usually work: a weekday and hours in their own time zone."""

    __tablename__ = "expert_availability"

    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"))
    # 0 = Monday ... 6 = Sunday, as datetime.weekday().
    weekday: Mapped[int]
    # Whole hours, start included and end excluded: 9 to 17 is 09:00 to 17:00.
    start_hour: Mapped[int]
    end_hour: Mapped[int]

    __table_args__ = (
        UniqueConstraint("expert_id", "weekday", "start_hour"),
        Index("ix_expert_availability_expert", "expert_id"),
    )


# Only the two columns the live queue's topics need (brands sit beside experts, not below).
_programs = table("programs", column("id", Uuid()), column("brand_id", Uuid()))


def queue_topics(connection: Connection, expert_id: uuid.UUID) -> list[str]:
    """The live queues that count the expert online: their active enrollments' brands."""
    brand_ids = connection.scalars(
        select(_programs.c.brand_id)
        .join(Enrollment, Enrollment.program_id == _programs.c.id)
        .where(Enrollment.expert_id == expert_id, Enrollment.status == EnrollmentStatus.ACTIVE)
        .distinct()
    )
    return sorted(notify.brand_topic(brand_id) for brand_id in brand_ids)


def _expert_topics(expert: Expert, session: Session) -> list[str]:
    if not notify.changed(expert, "presence"):
        return []
    return queue_topics(session.connection(), expert.id)


def _enrollment_topics(enrollment: Enrollment, session: Session) -> list[str]:
    brand_id = session.connection().scalar(
        select(_programs.c.brand_id).where(_programs.c.id == enrollment.program_id)
    )
    return [notify.brand_topic(brand_id)] if brand_id is not None else []


notify.watch(Expert, _expert_topics)
notify.watch(Enrollment, _enrollment_topics)
