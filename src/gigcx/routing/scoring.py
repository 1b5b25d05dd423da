"""The explainable routing score: a weighted mean of five terms, each between 0 and 1.

score = sum(weight[t] * term[t]) / sum(weight)

skill     expert's skill level in the ticket's category / 5
language  expert's proficiency in the ticket's language / 5
quality   the enrollment's published quality score (0..100, see gigcx.quality) / 100; without
          one yet, the prior the quality score starts from
idle      minutes since the expert last got a ticket (or came online) / 60, at most 1
load      free share of the expert's capacity on the ticket's channel
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

PRIOR_MEAN = 4.0
PRIOR_WEIGHT = 5
# The quality score every expert starts from (on 0..100); gigcx.quality uses the same prior.
QUALITY_PRIOR = 75.0
IDLE_FULL_MINUTES = 60.0
TERMS = ("skill", "language", "quality", "idle", "load")
FORMULA = "score = sum(weight * term) / sum(weight); each term is between 0 and 1"


@dataclass(frozen=True, slots=True)
class Candidate:
    expert_id: uuid.UUID
    skill_level: int
    proficiency: int
    quality_score: float | None
    capacity: int
    working: int
    pending: int
    idle_since: datetime

    @property
    def has_free_capacity(self) -> bool:
        return self.working + self.pending < self.capacity


@dataclass(frozen=True, slots=True)
class Scored:
    candidate: Candidate
    score: float
    values: tuple[float, ...]  # the terms, in the order of TERMS
    weights: dict[str, float]

    def explain(self) -> dict[str, Any]:
        """The full breakdown stored on an offer: every term, its weight and every input."""
        return breakdown(self.candidate, dict(zip(TERMS, self.values, strict=True)), self.weights)


def bayesian_rating(count: int, total: int) -> float:
    """Average rating pulled toward the prior until an expert has ratings of their own."""
    return (PRIOR_WEIGHT * PRIOR_MEAN + total) / (PRIOR_WEIGHT + count)


def quality_term(quality_score: float | None) -> float:
    """The quality score on 0..1; an expert without a score yet gets the prior."""
    value = QUALITY_PRIOR if quality_score is None else quality_score
    return min(max(value / 100.0, 0.0), 1.0)


def _term_values(candidate: Candidate, now: datetime) -> tuple[float, ...]:
    """The terms in the order of TERMS (a tuple: ranking scores every eligible expert)."""
    idle_minutes = max((now - candidate.idle_since).total_seconds() / 60.0, 0.0)
    busy = candidate.working + candidate.pending
    capacity = candidate.capacity
    return (
        candidate.skill_level / 5.0,
        candidate.proficiency / 5.0,
        quality_term(candidate.quality_score),
        min(idle_minutes / IDLE_FULL_MINUTES, 1.0),
        max(1.0 - busy / capacity, 0.0) if capacity else 0.0,
    )


def terms(candidate: Candidate, now: datetime) -> dict[str, float]:
    return dict(zip(TERMS, _term_values(candidate, now), strict=True))


def _total_weight(weights: dict[str, float]) -> float:
    return sum(weights.get(t, 0.0) for t in TERMS) or 1.0


def _score(
    candidate: Candidate,
    weights: dict[str, float],
    weight_values: tuple[float, ...],
    total_weight: float,
    now: datetime,
) -> Scored:
    values = _term_values(candidate, now)
    total = sum([w * v for w, v in zip(weight_values, values, strict=True)]) / total_weight
    return Scored(candidate, round(total, 6), values, weights)


def score(candidate: Candidate, weights: dict[str, float], now: datetime) -> Scored:
    """Score one candidate; the breakdown is built only for those who get an offer."""
    weight_values = tuple(weights.get(t, 0.0) for t in TERMS)
    return _score(candidate, weights, weight_values, _total_weight(weights), now)


def breakdown(
    candidate: Candidate, values: dict[str, float], weights: dict[str, float]
) -> dict[str, Any]:
    total_weight = _total_weight(weights)
    return {
        "formula": FORMULA,
        "terms": {
            t: {
                "value": round(values[t], 4),
                "weight": weights.get(t, 0.0),
                "contribution": round(weights.get(t, 0.0) * values[t] / total_weight, 4),
            }
            for t in TERMS
        },
        "inputs": {
            "skill_level": candidate.skill_level,
            "language_proficiency": candidate.proficiency,
            "quality_score": candidate.quality_score,
            "quality_prior": QUALITY_PRIOR,
            "idle_since": candidate.idle_since.isoformat(),
            "working": candidate.working,
            "pending_offers": candidate.pending,
            "capacity": candidate.capacity,
        },
    }


def rank(candidates: list[Candidate], weights: dict[str, float], now: datetime) -> list[Scored]:
    """Best first; ties go to the longer idle expert, then a stable id order."""
    weight_values = tuple(weights.get(t, 0.0) for t in TERMS)
    total_weight = _total_weight(weights)
    scored = [_score(c, weights, weight_values, total_weight, now) for c in candidates]
    scored.sort(key=lambda s: (-s.score, s.candidate.idle_since, s.candidate.expert_id))
    return scored
