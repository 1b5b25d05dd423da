from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand
from gigcx.jobs.models import Job
from gigcx.quality import service as quality_service
from gigcx.quality.enums import DisputeStatus, ReviewReason, ReviewStatus
from gigcx.quality.errors import (
    AlreadyDisputed,
    BadReviewAnswers,
    DisputeDecided,
    NotAReviewer,
    NotDisputable,
    ReviewNotFound,
)
from gigcx.quality.models import Dispute, Review
from gigcx.quality.schemas import (
    CalibrationCreate,
    DisputeCreate,
    DisputeDecision,
    RatingCreate,
    ReviewSubmit,
)
from tests.factories.brands import brand_api
from tests.factories.experts import as_expert, make_expert
from tests.factories.quality import enrollment_of, make_scorecard, make_senior, staff
from tests.quality.test_ratings import resolved

MET = {"greeting": True, "accuracy": True, "tone": True, "no-pii-leak": True}


def fee_jobs(session: Session) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.name == "payments.earn_fee")))


def reviews_of(session: Session, ticket_id: object) -> list[Review]:
    return list(session.scalars(select(Review).where(Review.ticket_id == ticket_id)))


def test_a_low_controllable_rating_is_always_reviewed(session: Session) -> None:
    brand, expert, ticket = resolved(session)
    make_scorecard(session, ticket.program)

    quality_service.rate_ticket(
        session, brand_api(brand), ticket.id, RatingCreate(score=2, reason="rude")
    )

    (review,) = reviews_of(session, ticket.id)
    assert (review.reason, review.status, review.expert_id) == (
        ReviewReason.LOW_CSAT,
        ReviewStatus.OPEN,
        expert.id,
    )


def test_a_low_rating_about_shipping_is_not_reviewed(session: Session) -> None:
    brand, _, ticket = resolved(session)
    make_scorecard(session, ticket.program)

    quality_service.rate_ticket(
        session, brand_api(brand), ticket.id, RatingCreate(score=1, reason="shipping")
    )

    assert reviews_of(session, ticket.id) == []


def test_sampling_follows_the_tier_rate(session: Session) -> None:
    _, _, ticket = resolved(session)
    make_scorecard(session, ticket.program, sample_percent_new=100)
    _, _, other = resolved(session)
    make_scorecard(session, other.program, sample_percent_new=0)

    sampled = quality_service.sample_resolved_ticket(session, ticket.id)
    again = quality_service.sample_resolved_ticket(session, ticket.id)
    skipped = quality_service.sample_resolved_ticket(session, other.id)

    assert sampled is not None and again is not None
    assert again.id == sampled.id
    assert sampled.reason == ReviewReason.SAMPLED
    assert skipped is None
    assert reviews_of(session, other.id) == []


def test_a_senior_expert_reviews_a_peer_and_is_paid_per_review(session: Session) -> None:
    _, expert, ticket = resolved(session)
    make_scorecard(session, ticket.program)
    senior = make_senior(session, ticket.program)
    review = quality_service.open_review(session, ticket, expert.id, ReviewReason.REQUESTED)
    assert review is not None

    done = quality_service.complete_review(
        session, as_expert(senior), review.id, ReviewSubmit(answers={**MET, "tone": False})
    )

    assert (done.status, done.score, done.reviewer_expert_id) == (
        ReviewStatus.COMPLETED,
        Decimal("80.00"),
        senior.id,
    )
    (job,) = fee_jobs(session)
    assert job.payload == {
        "kind": "review",
        "expert_id": str(senior.id),
        "program_id": str(ticket.program_id),
        "source_key": f"review:{review.id}",
        "reference": str(review.id),
    }
    # (5 x 75 + 2 x 80) / (5 + 2) = 76.43
    assert enrollment_of(session, expert, ticket.program).quality_score == Decimal("76.43")


def test_experts_below_senior_and_the_reviewed_expert_cannot_review(session: Session) -> None:
    _, expert, ticket = resolved(session)
    make_scorecard(session, ticket.program)
    peer = make_expert(session, programs=[ticket.program])
    review = quality_service.open_review(session, ticket, expert.id, ReviewReason.REQUESTED)
    assert review is not None

    with pytest.raises(ReviewNotFound):
        quality_service.claim_review(session, as_expert(peer), review.id)
    enrollment_of(session, expert, ticket.program).tier = "senior"  # type: ignore[assignment]
    with pytest.raises(NotAReviewer):
        quality_service.claim_review(session, as_expert(expert), review.id)

    assert (review.reviewer_expert_id, review.status) == (None, ReviewStatus.OPEN)


def test_brand_staff_review_unpaid_and_must_answer_every_criterion(session: Session) -> None:
    brand, expert, ticket = resolved(session)
    make_scorecard(session, ticket.program)
    review = quality_service.open_review(session, ticket, expert.id, ReviewReason.REQUESTED)
    assert review is not None
    person = staff(session, brand)

    with pytest.raises(BadReviewAnswers, match="missing: accuracy, no-pii-leak, tone"):
        quality_service.complete_review(
            session, person, review.id, ReviewSubmit(answers={"greeting": True})
        )
    assert review.score is None
    done = quality_service.complete_review(session, person, review.id, ReviewSubmit(answers=MET))

    assert done.score == Decimal("100.00")
    assert fee_jobs(session) == []


def test_calibration_reports_agreement_per_criterion(session: Session) -> None:
    brand, expert, ticket = resolved(session)
    make_scorecard(session, ticket.program)
    person = staff(session, brand)
    first, second = make_senior(session, ticket.program), make_senior(session, ticket.program)
    calibration = quality_service.start_calibration(
        session, person, CalibrationCreate(ticket_id=ticket.id, reviewers=3)
    )
    tasks = [r for r in reviews_of(session, ticket.id) if r.calibration_id == calibration.id]

    quality_service.complete_review(session, person, tasks[0].id, ReviewSubmit(answers=MET))
    quality_service.complete_review(
        session, as_expert(first), tasks[1].id, ReviewSubmit(answers={**MET, "tone": False})
    )
    quality_service.complete_review(
        session,
        as_expert(second),
        tasks[2].id,
        ReviewSubmit(answers={**MET, "tone": False, "accuracy": False}),
    )
    report = quality_service.calibration_report(session, person, calibration.id)

    assert [(c.key, c.met, c.missed, c.agreement) for c in report.criteria] == [
        ("greeting", 3, 0, Decimal("100.00")),
        ("accuracy", 2, 1, Decimal("66.67")),
        ("tone", 1, 2, Decimal("66.67")),
        ("no-pii-leak", 3, 0, Decimal("100.00")),
    ]
    # (100 + 66.67 + 66.67 + 100) / 4 = 83.335
    assert report.agreement == Decimal("83.34")
    assert (report.mean_score, report.spread) == (Decimal("66.67"), Decimal("80.00"))
    assert len(fee_jobs(session)) == 2
    # Calibration reviews measure the reviewers; they leave the expert's score alone.
    assert enrollment_of(session, expert, ticket.program).quality_score is None


def test_an_appeal_is_decided_once_and_an_overturned_review_stops_counting(
    session: Session,
) -> None:
    brand, expert, ticket = resolved(session)
    make_scorecard(session, ticket.program)
    person = staff(session, brand)
    review = quality_service.open_review(session, ticket, expert.id, ReviewReason.REQUESTED)
    assert review is not None
    quality_service.complete_review(
        session, person, review.id, ReviewSubmit(answers={**MET, "no-pii-leak": False})
    )
    score_before = enrollment_of(session, expert, ticket.program).quality_score
    appeal = DisputeCreate(
        subject_type="review", subject_id=review.id, reason="No data was leaked at all."
    )

    dispute = quality_service.open_dispute(session, as_expert(expert), appeal)
    with pytest.raises(AlreadyDisputed):
        quality_service.open_dispute(session, as_expert(expert), appeal)
    decided = quality_service.decide_dispute(
        session, person, dispute.id, DisputeDecision(overturn=True, reason="The order id only.")
    )
    with pytest.raises(DisputeDecided):
        quality_service.decide_dispute(
            session, person, dispute.id, DisputeDecision(overturn=False, reason="Changed mind")
        )

    # (5 x 75 + 2 x 0) / 7 = 53.57 before; back to the prior after
    assert score_before == Decimal("53.57")
    assert (decided.status, decided.decision_reason) == (
        DisputeStatus.OVERTURNED,
        "The order id only.",
    )
    assert decided.decided_by_user_id == person.user_id
    assert review.is_voided is True
    assert enrollment_of(session, expert, ticket.program).quality_score == Decimal("75.00")
    assert session.get(Brand, brand.id) is not None


def test_an_overturned_rating_leaves_the_score_and_the_totals(session: Session) -> None:
    brand, expert, ticket = resolved(session)
    person = staff(session, brand)
    rating = quality_service.rate_ticket(
        session, brand_api(brand), ticket.id, RatingCreate(score=2, reason="slow")
    )
    appeal = DisputeCreate(
        subject_type="rating", subject_id=rating.id, reason="The customer waited on the carrier."
    )
    dispute = quality_service.open_dispute(session, as_expert(expert), appeal)
    # (5 x 75 + 25) / 6 = 66.67
    score_before = enrollment_of(session, expert, ticket.program).quality_score

    quality_service.decide_dispute(
        session, person, dispute.id, DisputeDecision(overturn=True, reason="Carrier delay.")
    )

    enrollment = enrollment_of(session, expert, ticket.program)
    assert score_before == Decimal("66.67")
    assert rating.is_voided is True
    assert enrollment.quality_score == Decimal("75.00")
    assert (enrollment.rating_count, enrollment.rating_sum) == (0, 0)


def test_an_expert_cannot_appeal_someone_elses_rating(session: Session) -> None:
    brand, _, ticket = resolved(session)
    rating = quality_service.rate_ticket(
        session, brand_api(brand), ticket.id, RatingCreate(score=1, reason="rude")
    )
    stranger = make_expert(session, programs=[ticket.program])
    appeal = DisputeCreate(subject_type="rating", subject_id=rating.id, reason="Not my ticket!!")

    with pytest.raises(NotDisputable):
        quality_service.open_dispute(session, as_expert(stranger), appeal)

    assert session.scalars(select(Dispute)).all() == []
