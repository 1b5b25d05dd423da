import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from gigcx.experts.enums import Tier
from gigcx.kit.schemas import Schema, Slug
from gigcx.quality.enums import (
    ContestedSystem,
    DisputeStatus,
    DisputeSubject,
    HumanReviewKind,
    HumanReviewOutcome,
    HumanReviewStatus,
    RatingReason,
    ReasonArea,
    ReviewReason,
    ReviewStatus,
    WarningKind,
    WarningStatus,
)


def _reason_or_not_given(value: Any) -> Any:
    return RatingReason.NOT_GIVEN if value is None or value == "" else value


class RatingCreate(Schema):
    score: int = Field(ge=1, le=5)
    # Optional: left out, empty or null, the rating has no reason (``not_given``).
    reason: Annotated[RatingReason, BeforeValidator(_reason_or_not_given)] = RatingReason.NOT_GIVEN
    comment: str = Field("", max_length=2000)


class RatingRead(Schema):
    id: uuid.UUID
    ticket_id: uuid.UUID
    expert_id: uuid.UUID | None
    score: int
    reason: RatingReason
    comment: str
    is_voided: bool = False
    created_at: datetime


class CriterionIn(Schema):
    key: Slug
    label: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    weight: int = Field(1, ge=0, le=100)
    is_auto_fail: bool = False


class ScorecardPut(Schema):
    name: str = Field(min_length=1, max_length=200)
    criteria: list[CriterionIn] = Field(min_length=1, max_length=50)
    sample_percent_new: int = Field(25, ge=0, le=100)
    sample_percent_established: int = Field(10, ge=0, le=100)
    sample_percent_senior: int = Field(5, ge=0, le=100)
    low_csat_max: int = Field(2, ge=0, le=5, description="ratings at or below are always reviewed")


class CriterionRead(Schema):
    key: str
    label: str
    description: str
    weight: int
    is_auto_fail: bool


class ScorecardRead(Schema):
    id: uuid.UUID
    program_id: uuid.UUID
    name: str
    criteria: list[CriterionRead]
    sample_percent_new: int
    sample_percent_established: int
    sample_percent_senior: int
    low_csat_max: int


class ReviewSubmit(Schema):
    answers: dict[str, bool] = Field(description="criterion key -> met")
    comment: str = Field("", max_length=5000)


class ReviewRead(Schema):
    id: uuid.UUID
    ticket_id: uuid.UUID
    program_id: uuid.UUID
    expert_id: uuid.UUID
    reason: ReviewReason
    status: ReviewStatus
    calibration_id: uuid.UUID | None
    reviewer_user_id: uuid.UUID | None
    reviewer_expert_id: uuid.UUID | None
    answers: dict[str, bool]
    score: Decimal | None
    is_auto_failed: bool
    comment: str
    completed_at: datetime | None
    is_voided: bool
    created_at: datetime


class CalibrationCreate(Schema):
    ticket_id: uuid.UUID
    reviewers: int = Field(3, ge=2, le=10, description="how many reviewers score the ticket")
    note: str = Field("", max_length=2000)


class DisputeCreate(Schema):
    subject_type: DisputeSubject
    subject_id: uuid.UUID
    reason: str = Field(min_length=10, max_length=5000, description="why it is wrong")


class DisputeDecision(Schema):
    overturn: bool = Field(description="true: it no longer counts; false: it stands")
    reason: str = Field(min_length=5, max_length=5000)


class DisputeRead(Schema):
    id: uuid.UUID
    program_id: uuid.UUID
    expert_id: uuid.UUID
    subject_type: DisputeSubject
    subject_id: uuid.UUID
    reason: str
    status: DisputeStatus
    decided_by_user_id: uuid.UUID | None
    decision_reason: str
    decided_at: datetime | None
    created_at: datetime


class ScoreInputRead(Schema):
    kind: str
    at: datetime
    points: Decimal
    weight: int
    label: str


class QualityScoreRead(Schema):
    program_id: uuid.UUID
    program_name: str
    tier: Tier
    score: Decimal
    formula: str
    worked_formula: str
    prior: Decimal
    prior_weight: int
    csat_weight: int
    qa_weight: int
    window_days: int
    window_start: datetime
    window_end: datetime
    inputs: list[ScoreInputRead]


class TierWarningRead(Schema):
    id: uuid.UUID
    program_id: uuid.UUID
    kind: WarningKind
    status: WarningStatus
    tier: Tier
    improve: str
    score: Decimal
    target_score: Decimal
    due_at: datetime
    closed_at: datetime | None
    created_at: datetime


class RatingReasonRead(Schema):
    reason: RatingReason
    area: ReasonArea
    is_controllable: bool


class TierCriterionRead(Schema):
    tier: Tier
    criteria: str


class TierRunRead(Schema):
    week_start: str
    evaluated: int
    skipped: int
    promoted: int
    warned: int
    demoted: int
    removed: int
    resolved: int


class HumanReviewCreate(Schema):
    """An expert's request that a person review a decision or an automated result."""

    enrollment_id: uuid.UUID = Field(description="the enrollment (program) it concerns")
    subject: ContestedSystem
    decision_id: uuid.UUID | None = Field(
        None, description="the pause or removal decision contested (subject 'decision')"
    )
    request: str = Field(min_length=10, max_length=5000, description="what to review and why")


class HumanReviewDecision(Schema):
    outcome: HumanReviewOutcome
    reason: str = Field(min_length=5, max_length=5000, description="shown to the expert")


class HumanReviewRead(Schema):
    id: uuid.UUID
    kind: HumanReviewKind
    program_id: uuid.UUID
    enrollment_id: uuid.UUID
    expert_id: uuid.UUID
    subject: ContestedSystem
    decision_id: uuid.UUID | None
    proposed_status: str | None
    raised_by: str
    request: str
    due_at: datetime
    status: HumanReviewStatus
    outcome: HumanReviewOutcome | None
    outcome_reason: str
    decided_by_name: str
    decided_at: datetime | None
    created_at: datetime
