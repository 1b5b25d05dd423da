"""The published formulas: the QA review score, the quality score and the tier criteria.

quality score = (prior weight x prior + sum of weight x points) / (prior weight + sum of weights)

over the inputs of a rolling window: each controllable CSAT rating counts as (score - 1) x 25
points with weight 1; each completed QA review counts its 0..100 score with weight 2.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from gigcx.experts.enums import Tier
from gigcx.routing import scoring

PRIOR = Decimal(str(scoring.QUALITY_PRIOR)).normalize()  # 75: the score of a CSAT of 4, on 0..100
PRIOR_WEIGHT = 5
CSAT_WEIGHT = 1
QA_WEIGHT = 2
WINDOW_DAYS = 90
CENT = Decimal("0.01")
FORMULA = (
    "(prior weight \N{MULTIPLICATION SIGN} prior + sum of weight \N{MULTIPLICATION SIGN} points)"
    " / (prior weight + sum of weights)"
)


TOP_RATING = 5  # a CSAT rating is 1..5
TOP_REVIEW_SCORE = Decimal(100)  # a QA review scores 0..100


def can_appeal(score: int | Decimal | None, *, top: int | Decimal) -> bool:
    """A rating or review can be appealed only when it is below the top score."""
    return score is not None and score < top


def csat_points(score: int) -> Decimal:
    """A CSAT rating on the 0..100 scale: 1 is 0, 3 is 50, 5 is 100."""
    return Decimal((score - 1) * 25)


def review_score(
    criteria: Sequence[tuple[str, int, bool]], answers: dict[str, bool]
) -> tuple[Decimal, bool]:
    """Score a scorecard: the met share of the weights, 0..100; a missed auto-fail line gives 0.

    ``criteria`` are (key, weight, is_auto_fail); returns the score and whether it auto-failed.
    """
    if any(is_auto_fail and not answers[key] for key, _, is_auto_fail in criteria):
        return Decimal("0.00"), True
    total = sum(weight for _, weight, _ in criteria)
    if total == 0:
        return Decimal("100.00"), False
    met = sum(weight for key, weight, _ in criteria if answers[key])
    return (Decimal(met * 100) / Decimal(total)).quantize(CENT, ROUND_HALF_UP), False


@dataclass(frozen=True, slots=True)
class ScoreInput:
    """One input of a quality score, as the expert sees it."""

    kind: str  # "csat" or "qa"
    at: datetime
    points: Decimal
    weight: int
    label: str


def bayesian_score(inputs: Iterable[ScoreInput]) -> Decimal:
    """The quality score: inputs pulled toward the prior until there are enough of them."""
    weight = Decimal(PRIOR_WEIGHT)
    total = PRIOR * PRIOR_WEIGHT
    for item in inputs:
        weight += item.weight
        total += item.points * item.weight
    return (total / weight).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class TierRule:
    """What a tier takes: a score to reach and keep, and enough inputs and reviews to reach it."""

    tier: Tier
    min_score: Decimal
    min_inputs: int
    min_reviews: int

    def describe(self) -> str:
        return (
            f"quality score of at least {self.min_score}, with at least {self.min_inputs} "
            f"ratings and reviews in the window, {self.min_reviews} of them QA reviews; "
            f"kept while the score stays at {self.min_score} or more"
        )


TIER_RULES: dict[Tier, TierRule] = {
    Tier.ESTABLISHED: TierRule(Tier.ESTABLISHED, Decimal(70), 10, 0),
    Tier.SENIOR: TierRule(Tier.SENIOR, Decimal(85), 30, 5),
}
# Below this score, with at least REMOVAL_MIN_INPUTS inputs, an expert is warned of removal.
REMOVAL_SCORE = Decimal(40)
REMOVAL_MIN_INPUTS = 10
WARNING_DAYS = 14
NEW_TIER_TEXT = "every expert starts here; no score needed"
