"""The published quality score per expert and program, with every input that went into it."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.experts import service as experts_service
from gigcx.experts.enums import Tier
from gigcx.experts.models import Enrollment
from gigcx.experts.queries import readable_enrollments
from gigcx.kit import clock
from gigcx.quality import formulas
from gigcx.quality.enums import REASON_AREAS, UNCONTROLLABLE_REASONS, ReviewReason, ReviewStatus
from gigcx.quality.formulas import ScoreInput
from gigcx.quality.models import Rating, Review

TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True, slots=True)
class QualityBreakdown:
    """A quality score with its prior, window and inputs, for the expert to check by hand."""

    expert_id: uuid.UUID
    program_id: uuid.UUID
    start: datetime
    end: datetime
    inputs: list[ScoreInput]
    score: Decimal
    prior: Decimal = formulas.PRIOR
    prior_weight: int = formulas.PRIOR_WEIGHT
    csat_weight: int = formulas.CSAT_WEIGHT
    qa_weight: int = formulas.QA_WEIGHT
    window_days: int = formulas.WINDOW_DAYS
    formula: str = formulas.FORMULA

    @property
    def input_count(self) -> int:
        return len(self.inputs)

    @property
    def review_count(self) -> int:
        return sum(1 for x in self.inputs if x.kind == "qa")

    @property
    def rating_count(self) -> int:
        return sum(1 for x in self.inputs if x.kind == "csat")

    @property
    def weighted_sum(self) -> Decimal:
        return sum((x.points * x.weight for x in self.inputs), Decimal(0))

    @property
    def weight_sum(self) -> int:
        return sum(x.weight for x in self.inputs)

    @property
    def worked_formula(self) -> str:
        return (
            f"({self.prior_weight} {TIMES} {self.prior} + {self.weighted_sum}) / "
            f"({self.prior_weight} + {self.weight_sum}) = {self.score}"
        )


def score_inputs(
    session: Session,
    *,
    expert_id: uuid.UUID,
    program_id: uuid.UUID,
    start: datetime,
    end: datetime,
) -> list[ScoreInput]:
    """Controllable ratings and completed QA reviews of the expert in the window, oldest first."""
    ratings = session.scalars(
        select(Rating).where(
            Rating.expert_id == expert_id,
            Rating.program_id == program_id,
            Rating.created_at >= start,
            Rating.created_at < end,
            Rating.is_voided.is_(False),
            Rating.reason.not_in(sorted(UNCONTROLLABLE_REASONS)),
        )
    ).all()
    reviews = session.scalars(_counted_reviews(expert_id, program_id, start, end)).all()
    inputs = [
        ScoreInput(
            kind="csat",
            at=r.created_at,
            points=formulas.csat_points(r.score),
            weight=formulas.CSAT_WEIGHT,
            label=f"CSAT {r.score} ({r.reason}, {REASON_AREAS[r.reason]})",
        )
        for r in ratings
    ] + [
        ScoreInput(
            kind="qa",
            at=r.completed_at,
            points=r.score,
            weight=formulas.QA_WEIGHT,
            label="QA review" + (" (auto-fail)" if r.is_auto_failed else ""),
        )
        for r in reviews
        if r.completed_at is not None and r.score is not None
    ]
    inputs.sort(key=lambda x: (x.at, x.kind))
    return inputs


def _counted_reviews(
    expert_id: uuid.UUID, program_id: uuid.UUID, start: datetime, end: datetime
) -> Select[Review]:
    return select(Review).where(
        Review.expert_id == expert_id,
        Review.program_id == program_id,
        Review.status == ReviewStatus.COMPLETED,
        Review.reason != ReviewReason.CALIBRATION,
        Review.is_voided.is_(False),
        Review.completed_at >= start,
        Review.completed_at < end,
    )


def quality_breakdown(
    session: Session,
    *,
    expert_id: uuid.UUID,
    program_id: uuid.UUID,
    as_of: datetime | None = None,
) -> QualityBreakdown:
    """The expert's quality score in a program over the window that ends at ``as_of``."""
    end = as_of or clock.now()
    start = end - timedelta(days=formulas.WINDOW_DAYS)
    inputs = score_inputs(session, expert_id=expert_id, program_id=program_id, start=start, end=end)
    return QualityBreakdown(
        expert_id=expert_id,
        program_id=program_id,
        start=start,
        end=end,
        inputs=inputs,
        score=formulas.bayesian_score(inputs),
    )


def refresh_quality_score(
    session: Session,
    *,
    expert_id: uuid.UUID,
    program_id: uuid.UUID,
    as_of: datetime | None = None,
) -> QualityBreakdown:
    """Recompute the score and store it on the enrollment, where routing reads it."""
    breakdown = quality_breakdown(session, expert_id=expert_id, program_id=program_id, as_of=as_of)
    enrollment = experts_service.find_enrollment(
        session, expert_id=expert_id, program_id=program_id
    )
    if enrollment is not None:
        enrollment.quality_score = breakdown.score
        session.flush()
    return breakdown


def qa_average(
    session: Session,
    *,
    expert_id: uuid.UUID,
    program_id: uuid.UUID,
    start: datetime,
    end: datetime,
) -> Decimal | None:
    """Mean QA review score (0..100) of reviews completed in [start, end); None when none."""
    mean = session.scalar(
        _counted_reviews(expert_id, program_id, start, end).with_only_columns(
            func.avg(Review.score)
        )
    )
    if mean is None:
        return None
    return Decimal(str(mean)).quantize(formulas.CENT, ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class EnrollmentQuality:
    enrollment: Enrollment
    program_name: str
    brand_name: str
    breakdown: QualityBreakdown

    @property
    def tier(self) -> Tier:
        return self.enrollment.tier


def quality_overview(
    session: Session, principal: Principal, expert_id: uuid.UUID
) -> list[EnrollmentQuality]:
    """The expert's quality score in each program they are enrolled in, with every input."""
    expert = experts_service.get_expert(session, principal, expert_id)
    rows = session.execute(
        readable_enrollments(principal)
        .join(Program, Program.id == Enrollment.program_id)
        .join(Brand, Brand.id == Program.brand_id)
        .where(Enrollment.expert_id == expert.id)
        .with_only_columns(Enrollment, Program.name, Brand.name)
        .order_by(Brand.name, Program.name)
    ).all()
    now = clock.now()
    return [
        EnrollmentQuality(
            enrollment,
            program_name,
            brand_name,
            quality_breakdown(
                session, expert_id=expert.id, program_id=enrollment.program_id, as_of=now
            ),
        )
        for enrollment, program_name, brand_name in rows
    ]
