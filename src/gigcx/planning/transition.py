"""Which categories to move to the crowd first: a published score, each factor shown.

Every factor is a number from 0 (move later) to 1 (move first):

- volume: the category's monthly volume over the largest category's (big moves pay most);
- simplicity: 1 - complexity, where complexity = (0 x low + 0.5 x medium + 1 x high) shares of
  triaged contacts; 0.5 when there is no history;
- bot coverage: the share of contacts the bot already answers;
- expert supply: the crowd's shown seats over the seats the target needs, at most 1
  (1 when the category needs none);
- quality: the mean of the satisfied CSAT share (4 or 5 of 5) and the QA score / 100 in the
  category, of those known; 0.5 when neither is known. Quality risk is 1 - quality.

score = sum of weight x factor, with the weights in ``WEIGHTS`` (they sum to 1). Ties go to the
bigger monthly saving, then the category key.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
HALF = Decimal("0.5")
COMPLEXITY_WEIGHT = {"low": ZERO, "medium": HALF, "high": ONE}

WEIGHTS: dict[str, Decimal] = {
    "volume": Decimal("0.30"),
    "simplicity": Decimal("0.20"),
    "bot_coverage": Decimal("0.15"),
    "expert_supply": Decimal("0.20"),
    "quality": Decimal("0.15"),
}
FACTOR_NAMES = {
    "volume": "Volume",
    "simplicity": "Simplicity",
    "bot_coverage": "Bot coverage",
    "expert_supply": "Expert supply",
    "quality": "Quality (1 - risk)",
}


@dataclass(frozen=True, slots=True)
class CategoryFacts:
    """What the score reads about one category."""

    key: str
    monthly_volume: Decimal
    mix: Mapping[str, Decimal]  # share of contacts per complexity; empty without history
    deflection: Decimal
    seats_shown: int
    seats_needed: int
    csat_satisfied: Decimal | None  # share of ratings 4 or 5
    qa_average: Decimal | None  # 0..100
    monthly_saving: Decimal


def complexity(mix: Mapping[str, Decimal]) -> Decimal | None:
    """0 when every contact is simple, 1 when every one is complex; None without history."""
    total = sum(mix.values(), ZERO)
    if not total:
        return None
    weighted = sum((COMPLEXITY_WEIGHT.get(c, HALF) * share for c, share in mix.items()), ZERO)
    return weighted / total


def quality(csat_satisfied: Decimal | None, qa_average: Decimal | None) -> Decimal | None:
    """The mean of the satisfied CSAT share and QA / 100, of those known."""
    qa = None if qa_average is None else qa_average / 100
    values = [v for v in (csat_satisfied, qa) if v is not None]
    return sum(values, ZERO) / len(values) if values else None


def factors(facts: CategoryFacts, *, largest_volume: Decimal) -> dict[str, Decimal]:
    """Each factor of one category, from 0 (move later) to 1 (move first)."""
    level = complexity(facts.mix)
    known_quality = quality(facts.csat_satisfied, facts.qa_average)
    if facts.seats_needed <= 0:
        supply = ONE
    else:
        supply = min(ONE, Decimal(facts.seats_shown) / Decimal(facts.seats_needed))
    return {
        "volume": facts.monthly_volume / largest_volume if largest_volume > 0 else ZERO,
        "simplicity": HALF if level is None else ONE - level,
        "bot_coverage": facts.deflection,
        "expert_supply": supply,
        "quality": HALF if known_quality is None else known_quality,
    }


@dataclass(frozen=True, slots=True)
class Ranked:
    facts: CategoryFacts
    factors: dict[str, Decimal]
    score: Decimal

    @property
    def quality_risk(self) -> Decimal:
        return ONE - self.factors["quality"]


def score(values: Mapping[str, Decimal]) -> Decimal:
    return sum((WEIGHTS[name] * values[name] for name in WEIGHTS), ZERO)


def rank(categories: Sequence[CategoryFacts]) -> list[Ranked]:
    """Order categories from the one to move first; each with its factors and score."""
    largest = max((c.monthly_volume for c in categories), default=ZERO)
    ranked = []
    for facts in categories:
        values = factors(facts, largest_volume=largest)
        ranked.append(Ranked(facts, values, score(values)))
    return sorted(ranked, key=lambda r: (-r.score, -r.facts.monthly_saving, r.facts.key))
