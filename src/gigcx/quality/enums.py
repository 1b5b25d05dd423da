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


# Reasons about things the expert does not control never count against them.
UNCONTROLLABLE_REASONS = frozenset(
    {RatingReason.POLICY, RatingReason.PRODUCT, RatingReason.SHIPPING}
)
