import uuid
from datetime import UTC, datetime, timedelta

from gigcx.brands.models import DEFAULT_ROUTING_WEIGHTS
from gigcx.routing import scoring
from gigcx.routing.scoring import Candidate

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def candidate(**overrides: object) -> Candidate:
    fields: dict[str, object] = {
        "expert_id": uuid.UUID(int=1),
        "skill_level": 4,
        "proficiency": 5,
        "quality_score": None,
        "capacity": 2,
        "working": 1,
        "pending": 0,
        "idle_since": NOW - timedelta(minutes=30),
    }
    fields.update(overrides)
    return Candidate(**fields)  # type: ignore[arg-type]


def test_bayesian_rating_starts_at_the_prior_and_moves_with_ratings() -> None:
    assert scoring.bayesian_rating(0, 0) == 4.0
    assert scoring.bayesian_rating(5, 25) == 4.5
    assert scoring.bayesian_rating(5, 5) == 2.5


def test_score_is_the_weighted_mean_of_its_terms() -> None:
    scored = scoring.score(candidate(), DEFAULT_ROUTING_WEIGHTS, NOW)

    terms = scored.explain()["terms"]
    assert {name: terms[name]["value"] for name in scoring.TERMS} == {
        "skill": 0.8,
        "language": 1.0,
        "quality": 0.75,
        "idle": 0.5,
        "load": 0.5,
    }
    # 0.25*0.8 + 0.15*1.0 + 0.30*0.75 + 0.20*0.5 + 0.10*0.5 = 0.725
    assert scored.score == 0.725
    assert scored.explain()["inputs"]["capacity"] == 2


def test_pending_offers_count_as_load_and_idle_saturates_at_an_hour() -> None:
    values = scoring.terms(
        candidate(working=0, pending=1, idle_since=NOW - timedelta(hours=5)), NOW
    )

    assert values["load"] == 0.5
    assert values["idle"] == 1.0


def test_rank_orders_by_score_then_longest_idle() -> None:
    strong = candidate(expert_id=uuid.UUID(int=2), skill_level=5)
    waiting_longer = candidate(expert_id=uuid.UUID(int=3), idle_since=NOW - timedelta(minutes=31))
    weak = candidate(expert_id=uuid.UUID(int=4), proficiency=2)
    equal = candidate(expert_id=uuid.UUID(int=5))
    weights = {"skill": 1.0, "language": 1.0, "quality": 0.0, "idle": 0.0, "load": 0.0}

    ranked = scoring.rank([weak, equal, waiting_longer, strong], weights, NOW)

    assert [s.candidate.expert_id.int for s in ranked] == [2, 3, 5, 4]


def test_quality_term_is_the_published_score_or_the_prior_without_one() -> None:
    assert scoring.quality_term(None) == 0.75
    assert scoring.quality_term(81.67) == 0.8167
    assert scoring.terms(candidate(quality_score=40.0), NOW)["quality"] == 0.4


def test_rank_scores_and_explains_each_candidate_as_score_does() -> None:
    candidates = [
        candidate(expert_id=uuid.UUID(int=n), skill_level=n, working=n % 2, quality_score=60.0 + n)
        for n in range(1, 5)
    ]

    ranked = scoring.rank(candidates, DEFAULT_ROUTING_WEIGHTS, NOW)

    alone = {c.expert_id: scoring.score(c, DEFAULT_ROUTING_WEIGHTS, NOW) for c in candidates}
    assert [(s.score, s.explain()) for s in ranked] == [
        (alone[s.candidate.expert_id].score, alone[s.candidate.expert_id].explain()) for s in ranked
    ]
    assert ranked[0].explain()["terms"]["skill"] == {
        "value": 0.8,
        "weight": DEFAULT_ROUTING_WEIGHTS["skill"],
        "contribution": round(DEFAULT_ROUTING_WEIGHTS["skill"] * 0.8, 4),
    }
