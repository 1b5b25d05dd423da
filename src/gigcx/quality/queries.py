import uuid

from sqlalchemy import Select, or_, select, true

from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.experts.enums import EnrollmentStatus, Tier
from gigcx.experts.models import Enrollment
from gigcx.quality.enums import ReviewStatus
from gigcx.quality.models import (
    Calibration,
    Dispute,
    HumanReview,
    Rating,
    Review,
    Scorecard,
    TierWarning,
)


def readable_reviews(principal: Principal) -> Select[Review]:
    """Reviews: the brand's; for an expert, those of their tickets and those they wrote."""
    statement = select(Review)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Review.brand_id == principal.brand_id)
    if principal.is_expert:
        return statement.where(
            or_(
                Review.expert_id == principal.expert_id,
                Review.reviewer_expert_id == principal.expert_id,
            )
        )
    return statement.where(true().is_(False))


def senior_programs(principal: Principal) -> Select[uuid.UUID]:
    """Programs in which the expert may review peers: active and senior."""
    return select(Enrollment.program_id).where(
        Enrollment.expert_id == principal.expert_id,
        Enrollment.status == EnrollmentStatus.ACTIVE,
        Enrollment.tier == Tier.SENIOR,
    )


def reviewable_tasks(principal: Principal) -> Select[Review]:
    """Open review tasks this principal may take: the brand's, or a senior expert's programs'."""
    statement = select(Review).where(Review.status == ReviewStatus.OPEN)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Review.brand_id == principal.brand_id)
    if principal.is_expert:
        return statement.where(
            Review.program_id.in_(senior_programs(principal)),
            Review.expert_id != principal.expert_id,
            or_(
                Review.reviewer_expert_id.is_(None),
                Review.reviewer_expert_id == principal.expert_id,
            ),
            Review.reviewer_user_id.is_(None),
        )
    return statement.where(true().is_(False))


def readable_scorecards(principal: Principal) -> Select[Scorecard]:
    """Scorecards: the brand's; experts see those of programs they are enrolled in."""
    statement = select(Scorecard)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Scorecard.brand_id == principal.brand_id)
    if principal.is_expert:
        enrolled = select(Enrollment.program_id).where(Enrollment.expert_id == principal.expert_id)
        return statement.where(Scorecard.program_id.in_(enrolled))
    return statement.where(true().is_(False))


def readable_disputes(principal: Principal) -> Select[Dispute]:
    statement = select(Dispute)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Dispute.brand_id == principal.brand_id)
    if principal.is_expert:
        return statement.where(Dispute.expert_id == principal.expert_id)
    return statement.where(true().is_(False))


def readable_calibrations(principal: Principal) -> Select[Calibration]:
    statement = select(Calibration)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Calibration.brand_id == principal.brand_id)
    return statement.where(true().is_(False))


def readable_ratings(principal: Principal) -> Select[Rating]:
    statement = select(Rating)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Rating.brand_id == principal.brand_id)
    if principal.is_expert:
        return statement.where(Rating.expert_id == principal.expert_id)
    return statement.where(true().is_(False))


def readable_warnings(principal: Principal) -> Select[TierWarning]:
    statement = select(TierWarning)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_expert:
        return statement.where(TierWarning.expert_id == principal.expert_id)
    if principal.is_brand_staff:
        programs = select(Program.id).where(Program.brand_id == principal.brand_id)
        return statement.where(TierWarning.program_id.in_(programs))
    return statement.where(true().is_(False))


def readable_human_reviews(principal: Principal) -> Select[HumanReview]:
    """Human review cases: the brand's queue; for an expert, the cases about them."""
    statement = select(HumanReview)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(HumanReview.brand_id == principal.brand_id)
    if principal.is_expert:
        return statement.where(HumanReview.expert_id == principal.expert_id)
    return statement.where(true().is_(False))
