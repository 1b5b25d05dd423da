from enum import StrEnum


class RatingReason(StrEnum):
    """Why a customer rated as they did."""

    HELPFUL = "helpful"
    FAST = "fast"
    FRIENDLY = "friendly"
    SLOW = "slow"
    UNHELPFUL = "unhelpful"
    RUDE = "rude"
    WRONG_ANSWER = "wrong_answer"
    POLICY = "policy"
    PRODUCT = "product"
    SHIPPING = "shipping"
    OTHER = "other"
    # The customer gave a score and no reason: the score counts like "other".
    NOT_GIVEN = "not_given"


class ReasonArea(StrEnum):
    """What a rating's reason is about; only tone, accuracy and speed are the expert's doing."""

    TONE = "tone"
    ACCURACY = "accuracy"
    SPEED = "speed"
    GENERAL = "general"
    SHIPPING = "shipping"
    POLICY = "policy"
    PRODUCT = "product"


REASON_AREAS: dict[RatingReason, ReasonArea] = {
    RatingReason.FRIENDLY: ReasonArea.TONE,
    RatingReason.RUDE: ReasonArea.TONE,
    RatingReason.HELPFUL: ReasonArea.ACCURACY,
    RatingReason.UNHELPFUL: ReasonArea.ACCURACY,
    RatingReason.WRONG_ANSWER: ReasonArea.ACCURACY,
    RatingReason.FAST: ReasonArea.SPEED,
    RatingReason.SLOW: ReasonArea.SPEED,
    RatingReason.OTHER: ReasonArea.GENERAL,
    RatingReason.NOT_GIVEN: ReasonArea.GENERAL,
    RatingReason.SHIPPING: ReasonArea.SHIPPING,
    RatingReason.POLICY: ReasonArea.POLICY,
    RatingReason.PRODUCT: ReasonArea.PRODUCT,
}

CONTROLLABLE_AREAS = frozenset(
    {ReasonArea.TONE, ReasonArea.ACCURACY, ReasonArea.SPEED, ReasonArea.GENERAL}
)

# Reasons about things the expert does not control never count against them.
UNCONTROLLABLE_REASONS = frozenset(
    reason for reason, area in REASON_AREAS.items() if area not in CONTROLLABLE_AREAS
)


class ReviewStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELED = "canceled"


class ReviewReason(StrEnum):
    """Why a ticket was put up for review."""

    SAMPLED = "sampled"
    LOW_CSAT = "low_csat"
    CALIBRATION = "calibration"
    REQUESTED = "requested"


class DisputeSubject(StrEnum):
    REVIEW = "review"
    RATING = "rating"


class DisputeStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the review or rating stands
    OVERTURNED = "overturned"  # it no longer counts


class WarningKind(StrEnum):
    DEMOTION = "demotion"
    REMOVAL = "removal"


class WarningStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"  # improved in time
    ENFORCED = "enforced"  # the date passed without improvement


class HumanReviewKind(StrEnum):
    """Why a case is in the brand's human review queue."""

    PROPOSAL = "proposal"  # an automated check proposes restricting an enrollment
    REQUEST = "request"  # the expert asks a person to review a decision about them


class HumanReviewStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class HumanReviewOutcome(StrEnum):
    """What the person decided: for a proposal, applied or dismissed; for a request, the
    decision stands (upheld) or is changed (overturned)."""

    APPLIED = "applied"
    DISMISSED = "dismissed"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class ContestedSystem(StrEnum):
    """What an expert asks a person to review: a person's decision or an automated system."""

    DECISION = "decision"  # a pause or removal decided by the brand
    TRIAGE = "triage"
    ROUTING = "routing"
    QUALITY_SCORE = "quality_score"
    TIER = "tier"
    WARNING = "warning"
    SURGE = "surge"
    AWAY = "away"
