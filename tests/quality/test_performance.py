from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand, Program
from gigcx.experts.errors import ExpertNotFound
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.quality import service as quality_service
from gigcx.quality.schemas import RatingCreate
from gigcx.routing import scoring
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Assignment, Offer
from tests.factories.brands import brand_api, make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket


def rated(
    session: Session, brand: Brand, program: Program, expert: Expert, score: int, reason: str
) -> None:
    ticket = make_ticket(session, program)
    offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
    routing_service.accept_offer(session, as_expert(expert), offer.id)
    tickets_service.resolve(session, as_expert(expert), ticket.id)
    quality_service.rate_ticket(
        session, brand_api(brand), ticket.id, RatingCreate(score=score, reason=reason)
    )


def answered(
    session: Session,
    program: Program,
    expert: Expert,
    *,
    assigned_ago: timedelta,
    after: timedelta,
) -> None:
    ticket = make_ticket(session, program, route=False)
    started_at = clock.now() - assigned_ago
    ticket.first_response_at = started_at + after
    session.add(
        Assignment(
            ticket_id=ticket.id,
            expert_id=expert.id,
            channel="chat",
            started_at=started_at,
            ended_at=started_at + timedelta(hours=1),
        )
    )
    session.flush()


def test_the_quality_score_shows_its_formula_with_every_input(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    rated(session, brand, program, expert, 5, "helpful")
    rated(session, brand, program, expert, 2, "slow")
    rated(session, brand, program, expert, 1, "shipping")

    performance = quality_service.expert_performance(session, as_expert(expert), expert.id)

    [score] = performance.scores
    assert (score.prior_weight, score.prior_mean) == (scoring.PRIOR_WEIGHT, scoring.PRIOR_MEAN)
    assert (score.prior_weight, score.prior_mean) == (5, 4.0)
    assert (score.rating_count, score.rating_sum) == (2, 7)
    assert score.score == (5 * 4.0 + 7) / (5 + 2)
    assert score.score == scoring.bayesian_rating(2, 7)
    assert score.routing_term == (27 / 7 - 1) / 4
    assert score.worked_formula == "(5 \N{MULTIPLICATION SIGN} 4.0 + 7) / (5 + 2) = 3.86"
    assert performance.formula == (
        "(prior weight \N{MULTIPLICATION SIGN} prior mean + sum of counted ratings)"
        " / (prior weight + count)"
    )
    assert sorted((x.rating.score, x.rating.reason, x.is_counted) for x in performance.ratings) == [
        (1, "shipping", False),
        (2, "slow", True),
        (5, "helpful", True),
    ]


def test_a_new_enrollment_scores_the_prior(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])

    performance = quality_service.expert_performance(session, as_expert(expert), expert.id)

    [score] = performance.scores
    assert (score.rating_count, score.rating_sum, score.score) == (0, 0, 4.0)
    assert score.worked_formula == "(5 \N{MULTIPLICATION SIGN} 4.0 + 0) / (5 + 0) = 4.00"
    assert performance.ratings == []


def test_response_times_are_medians_from_assignment_to_first_response(session: Session) -> None:
    brand = make_brand(session)
    care, sales = make_program(session, brand), make_program(session, brand)
    expert = make_expert(session, programs=[care, sales])
    for seconds in (60, 180, 600):
        answered(
            session, care, expert, assigned_ago=timedelta(days=1), after=timedelta(seconds=seconds)
        )
    answered(session, sales, expert, assigned_ago=timedelta(days=2), after=timedelta(seconds=30))
    # Answered before this expert got it, and assigned outside the window: neither counts.
    answered(session, care, expert, assigned_ago=timedelta(days=1), after=timedelta(minutes=-5))
    answered(session, care, expert, assigned_ago=timedelta(days=40), after=timedelta(seconds=5))

    performance = quality_service.expert_performance(session, as_expert(expert), expert.id, days=30)

    assert performance.response_times[0].label == "All programs"
    assert {t.label: (t.count, t.median_seconds) for t in performance.response_times} == {
        "All programs": (4, 120.0),
        care.name: (3, 180.0),
        sales.name: (1, 30.0),
    }


def test_another_experts_performance_is_not_readable(session: Session) -> None:
    expert, other = make_expert(session), make_expert(session)

    with pytest.raises(ExpertNotFound):
        quality_service.expert_performance(session, as_expert(other), expert.id)
