import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from gigcx.db import notify
from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.experts.enums import Tier
from gigcx.privacy.redaction import redact_cards_on_set
from gigcx.quality.enums import (
    ContestedSystem,
    DisputeStatus,
    DisputeSubject,
    HumanReviewKind,
    HumanReviewOutcome,
    HumanReviewStatus,
    RatingReason,
    ReviewReason,
    ReviewStatus,
    WarningKind,
    WarningStatus,
)

Score = Numeric(5, 2, asdecimal=True)


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
    # Set when an appeal overturned the rating: it no longer counts toward the quality score.
    is_voided: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)


class Scorecard(IdMixin, CreatedMixin, Base):
    """A program's QA scorecard with its sampling rates."""

    __tablename__ = "scorecards"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), index=True)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Percent of resolved tickets reviewed, by the tier of the expert who resolved them.
    sample_percent_new: Mapped[int] = mapped_column(default=25)
    sample_percent_established: Mapped[int] = mapped_column(default=10)
    sample_percent_senior: Mapped[int] = mapped_column(default=5)
    # A controllable rating at or below this is always reviewed.
    low_csat_max: Mapped[int] = mapped_column(default=2)

    criteria: Mapped[list["ScorecardCriterion"]] = relationship(
        cascade="all, delete-orphan", order_by="ScorecardCriterion.position", lazy="selectin"
    )

    def sample_percent(self, tier: Tier) -> int:
        return {
            Tier.NEW: self.sample_percent_new,
            Tier.ESTABLISHED: self.sample_percent_established,
            Tier.SENIOR: self.sample_percent_senior,
        }[tier]


class ScorecardCriterion(IdMixin, Base):
    """One line of a scorecard: met or not, with its weight; an auto-fail line zeroes the score."""

    __tablename__ = "scorecard_criteria"

    scorecard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(default=1)
    is_auto_fail: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (UniqueConstraint("scorecard_id", "key"),)


class Calibration(IdMixin, CreatedMixin, Base):
    """One ticket reviewed by several reviewers to measure how far they agree."""

    __tablename__ = "calibrations"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), index=True)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"))
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class Review(IdMixin, CreatedMixin, Base):
    """A QA review task for a resolved ticket and, once completed, its scorecard answers."""

    __tablename__ = "reviews"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"), index=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"), index=True)
    scorecard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("scorecards.id"))
    reason: Mapped[ReviewReason] = mapped_column(String(16))
    status: Mapped[ReviewStatus] = mapped_column(String(16), default=ReviewStatus.OPEN)
    # One sampled review per ticket: the ticket id here; calibration reviews leave it empty.
    sample_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    calibration_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("calibrations.id"))
    reviewer_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    reviewer_expert_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("experts.id"))
    claimed_at: Mapped[datetime | None]
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)  # criterion key -> met
    score: Mapped[Decimal | None] = mapped_column(Score)
    is_auto_failed: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None]
    is_voided: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        Index("ix_reviews_program_status", "program_id", "status"),
        UniqueConstraint("calibration_id", "reviewer_user_id"),
        UniqueConstraint("calibration_id", "reviewer_expert_id"),
    )


class Dispute(IdMixin, CreatedMixin, Base):
    """An expert's one appeal of a review or a rating, and the human decision on it."""

    __tablename__ = "disputes"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), index=True)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"), index=True)
    subject_type: Mapped[DisputeSubject] = mapped_column(String(16))
    subject_id: Mapped[uuid.UUID]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[DisputeStatus] = mapped_column(String(16), default=DisputeStatus.OPEN)
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("subject_type", "subject_id"),)


class TierEvaluation(IdMixin, CreatedMixin, Base):
    """The weekly tier review of one enrollment; one per week makes the job idempotent."""

    __tablename__ = "tier_evaluations"

    enrollment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enrollments.id"))
    week_start: Mapped[date]
    tier_before: Mapped[Tier] = mapped_column(String(16))
    tier_after: Mapped[Tier] = mapped_column(String(16))
    score: Mapped[Decimal] = mapped_column(Score)
    input_count: Mapped[int]
    qa_count: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("enrollment_id", "week_start"),)


class TierWarning(IdMixin, CreatedMixin, Base):
    """A warning before any demotion or removal: what to improve and by when."""

    __tablename__ = "tier_warnings"

    enrollment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enrollments.id"), index=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"), index=True)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    kind: Mapped[WarningKind] = mapped_column(String(16))
    status: Mapped[WarningStatus] = mapped_column(String(16), default=WarningStatus.OPEN)
    tier: Mapped[Tier] = mapped_column(String(16))
    improve: Mapped[str] = mapped_column(Text)
    score: Mapped[Decimal] = mapped_column(Score)
    target_score: Mapped[Decimal] = mapped_column(Score)
    due_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class HumanReview(IdMixin, CreatedMixin, Base):
    """A case a person at the brand must decide by ``due_at``, with a written reason.

    Either an automated check's proposal to restrict an enrollment (it never restricts by
    itself) or an expert's request that a person review a decision or an automated result.
    """

    __tablename__ = "human_reviews"

    kind: Mapped[HumanReviewKind] = mapped_column(String(16))
    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    enrollment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enrollments.id"), index=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"), index=True)
    subject: Mapped[ContestedSystem] = mapped_column(String(16))
    # The restriction decision a request contests, if it contests one.
    decision_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("enrollment_decisions.id"))
    # What a proposal would set (paused or removed).
    proposed_status: Mapped[str | None] = mapped_column(String(16))
    # Who raised it: the automated check's name (e.g. "quality.review_tiers") or "expert".
    raised_by: Mapped[str] = mapped_column(String(64))
    # The proposal's grounds, or the expert's own words.
    request: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime]
    status: Mapped[HumanReviewStatus] = mapped_column(String(16), default=HumanReviewStatus.OPEN)
    outcome: Mapped[HumanReviewOutcome | None] = mapped_column(String(16))
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_by_name: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_human_reviews_brand_status", "brand_id", "status", "due_at"),)


redact_cards_on_set(
    HumanReview.request,
    HumanReview.outcome_reason,
    Rating.comment,
    Review.comment,
    Dispute.reason,
    Dispute.decision_reason,
    Calibration.note,
)


def _rating_topics(row: Rating, _session: Session) -> list[str]:
    return [notify.ticket_topic(row.ticket_id)]


notify.watch(Rating, _rating_topics)
