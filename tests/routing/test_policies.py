import uuid
from datetime import UTC, datetime, timedelta

from gigcx.routing import policies, scoring
from gigcx.routing.scoring import Candidate

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
WEIGHTS = {"skill": 0.25, "language": 0.15, "quality": 0.3, "idle": 0.2, "load": 0.1}


def candidate(number: int, *, skill: int, idle_minutes: float, quality: float = 80.0) -> Candidate:
    return Candidate(
        expert_id=uuid.UUID(int=number),
        skill_level=skill,
        proficiency=5,
        quality_score=quality,
        capacity=2,
        working=0,
        pending=0,
        idle_since=NOW - timedelta(minutes=idle_minutes),
    )


def ranked() -> list[scoring.Scored]:
    return scoring.rank(
        [
            candidate(1, skill=5, idle_minutes=5, quality=95),
            candidate(2, skill=2, idle_minutes=50),
            candidate(3, skill=4, idle_minutes=20),
        ],
        WEIGHTS,
        NOW,
    )


def numbers(order: list[scoring.Scored]) -> list[int]:
    return [s.candidate.expert_id.int for s in order]


def test_score_keeps_the_best_score_first() -> None:
    assert numbers(ranked()) == [1, 2, 3]


def test_longest_idle_puts_the_longest_idle_expert_first() -> None:
    assert numbers(policies.longest_idle(ranked())) == [2, 3, 1]


def test_round_robin_starts_after_the_last_expert_offered() -> None:
    assert numbers(policies.round_robin(ranked(), None)) == [1, 2, 3]
    assert numbers(policies.round_robin(ranked(), uuid.UUID(int=2))) == [3, 1, 2]
    assert numbers(policies.round_robin(ranked(), uuid.UUID(int=3))) == [1, 2, 3]


def test_random_is_drawn_from_its_key() -> None:
    first = numbers(policies.shuffled(ranked(), "ticket-a"))

    assert numbers(policies.shuffled(ranked(), "ticket-a")) == first
    assert sorted(first) == [1, 2, 3]
    draws = {tuple(numbers(policies.shuffled(ranked(), f"ticket-{n}"))) for n in range(30)}
    assert len(draws) == 6


def test_specialists_first_then_skill_then_longest_idle() -> None:
    breadth = {uuid.UUID(int=1): 3, uuid.UUID(int=2): 1, uuid.UUID(int=3): 1}

    assert numbers(policies.specialists_first(ranked(), breadth)) == [3, 2, 1]
