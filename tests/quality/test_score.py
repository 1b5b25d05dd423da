from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from gigcx.kit import clock
from gigcx.quality import service as quality_service
from gigcx.quality.enums import RatingReason
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.quality import add_rating, add_review, enrollment_of, make_scorecard
from tests.factories.tickets import make_ticket

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_score_counts_controllable_ratings_and_reviews_in_the_window(session: Session) -> None:
    program = make_program(session, make_brand(session))
    make_scorecard(session, program)
    expert = make_expert(session, programs=[program])
    add_rating(session, program, expert, 5, at=NOW - timedelta(days=1))
    add_rating(session, program, expert, 5, reason=RatingReason.FAST, at=NOW - timedelta(days=2))
    add_rating(session, program, expert, 1, reason=RatingReason.SHIPPING, at=NOW - timedelta(1))
    add_rating(session, program, expert, 1, at=NOW - timedelta(days=91))
    ticket = make_ticket(session, program, route=False)
    add_review(session, ticket, expert, "80", at=NOW - timedelta(days=3))

    breakdown = quality_service.refresh_quality_score(
        session, expert_id=expert.id, program_id=program.id, as_of=NOW
    )

    # (5 x 75 + 100 + 100 + 2 x 80) / (5 + 1 + 1 + 2) = 81.67; shipping and old ones left out
    assert breakdown.score == Decimal("81.67")
    assert [(x.kind, x.points, x.weight) for x in breakdown.inputs] == [
        ("qa", Decimal("80.00"), 2),
        ("csat", Decimal(100), 1),
        ("csat", Decimal(100), 1),
    ]
    assert breakdown.worked_formula == "(5 \N{MULTIPLICATION SIGN} 75 + 360.00) / (5 + 4) = 81.67"
    assert breakdown.start == NOW - timedelta(days=90)
    assert enrollment_of(session, expert, program).quality_score == Decimal("81.67")


def test_qa_average_is_the_mean_of_reviews_completed_in_the_range(session: Session) -> None:
    program = make_program(session, make_brand(session))
    make_scorecard(session, program)
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(session, program, route=False)
    add_review(session, ticket, expert, "80", at=NOW - timedelta(days=3))
    add_review(session, ticket, expert, "95", at=NOW - timedelta(days=2))
    add_review(session, ticket, expert, "10", at=NOW)

    average = quality_service.qa_average(
        session,
        expert_id=expert.id,
        program_id=program.id,
        start=NOW - timedelta(days=7),
        end=NOW,
    )
    nothing = quality_service.qa_average(
        session, expert_id=expert.id, program_id=program.id, start=NOW, end=NOW
    )

    assert average == Decimal("87.50")
    assert nothing is None


def test_a_new_rating_updates_the_score_routing_reads(session: Session) -> None:
    from gigcx.quality.schemas import RatingCreate
    from tests.factories.brands import brand_api
    from tests.quality.test_ratings import resolved

    brand, expert, ticket = resolved(session)

    quality_service.rate_ticket(
        session, brand_api(brand), ticket.id, RatingCreate(score=3, reason="slow")
    )

    # (5 x 75 + 50) / 6 = 70.83
    enrollment = enrollment_of(session, expert, ticket.program)
    assert enrollment.quality_score == Decimal("70.83")
    assert clock.now() > enrollment.created_at
