from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.brands.models import Program
from gigcx.experts.enums import EnrollmentStatus, Tier
from gigcx.experts.models import Expert
from gigcx.jobs.models import Job
from gigcx.jobs.registry import get_handler
from gigcx.quality import service as quality_service
from gigcx.quality.enums import HumanReviewKind, HumanReviewStatus, WarningKind, WarningStatus
from gigcx.quality.models import HumanReview, TierEvaluation, TierWarning
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.quality import add_review, enrollment_of, make_scorecard
from tests.factories.tickets import make_ticket

WEEK = date(2026, 11, 30)  # a Monday
AS_OF = datetime(2026, 11, 30, tzinfo=UTC)


def expert_with_reviews(
    session: Session, scores: list[str], *, tier: Tier = Tier.NEW
) -> tuple[Program, Expert]:
    program = make_program(session, make_brand(session))
    make_scorecard(session, program)
    expert = make_expert(session, programs=[program])
    enrollment_of(session, expert, program).tier = tier
    ticket = make_ticket(session, program, route=False)
    for score in scores:
        add_review(session, ticket, expert, score, at=AS_OF - timedelta(days=1))
    return program, expert


def warnings_of(session: Session, expert: Expert) -> list[TierWarning]:
    return list(session.scalars(select(TierWarning).where(TierWarning.expert_id == expert.id)))


def test_an_expert_who_meets_the_criteria_is_promoted_one_tier(session: Session) -> None:
    # (5 x 75 + 10 x 2 x 80) / (5 + 20) = 79.00, with 10 inputs: established, not senior
    program, expert = expert_with_reviews(session, ["80"] * 10)

    summary = quality_service.review_tiers(session, WEEK)

    enrollment = enrollment_of(session, expert, program)
    evaluation = session.scalars(
        select(TierEvaluation).where(TierEvaluation.enrollment_id == enrollment.id)
    ).one()
    assert enrollment.tier == Tier.ESTABLISHED
    assert (evaluation.score, evaluation.input_count, evaluation.outcome) == (
        Decimal("79.00"),
        10,
        "promoted",
    )
    assert summary.counts["promoted"] == 1


def test_running_the_weekly_review_twice_changes_nothing_more(session: Session) -> None:
    program, expert = expert_with_reviews(session, ["50"] * 10, tier=Tier.ESTABLISHED)

    first = quality_service.review_tiers(session, WEEK)
    second = quality_service.review_tiers(session, WEEK + timedelta(days=3))

    assert first.counts["warned"] == 1
    assert second.counts["skipped"] == 1
    assert second.counts["evaluated"] == 0
    assert len(warnings_of(session, expert)) == 1
    evaluations = session.scalar(
        select(func.count()).select_from(TierEvaluation).where(TierEvaluation.week_start == WEEK)
    )
    assert evaluations == 1
    assert enrollment_of(session, expert, program).tier == Tier.ESTABLISHED


def test_a_demotion_comes_only_after_a_warning_whose_date_passed(session: Session) -> None:
    # (5 x 75 + 10 x 2 x 50) / 25 = 55.00, below the 70 established keeps
    program, expert = expert_with_reviews(session, ["50"] * 10, tier=Tier.ESTABLISHED)

    quality_service.review_tiers(session, WEEK)
    (warning,) = warnings_of(session, expert)
    quality_service.review_tiers(session, WEEK + timedelta(days=7))
    tier_before_due = enrollment_of(session, expert, program).tier
    quality_service.review_tiers(session, WEEK + timedelta(days=14))

    assert warning.kind == WarningKind.DEMOTION
    assert warning.due_at == AS_OF + timedelta(days=14)
    assert (warning.score, warning.target_score) == (Decimal("55.00"), Decimal(70))
    assert warning.improve.startswith(
        f"Raise your quality score in {program.name} from 55.00 to 70 or more by 2026-12-14"
    )
    assert tier_before_due == Tier.ESTABLISHED
    assert enrollment_of(session, expert, program).tier == Tier.NEW
    assert warning.status == WarningStatus.ENFORCED


def test_improving_before_the_date_resolves_the_warning(session: Session) -> None:
    program, expert = expert_with_reviews(session, ["50"] * 10, tier=Tier.ESTABLISHED)
    quality_service.review_tiers(session, WEEK)
    ticket = make_ticket(session, program, route=False)
    for _ in range(10):
        add_review(session, ticket, expert, "100", at=AS_OF + timedelta(days=1))

    # (375 + 1000 + 2000) / 45 = 75.00
    summary = quality_service.review_tiers(session, WEEK + timedelta(days=7))

    (warning,) = warnings_of(session, expert)
    assert summary.counts["resolved"] == 1
    assert warning.status == WarningStatus.RESOLVED
    assert enrollment_of(session, expert, program).tier == Tier.ESTABLISHED


def test_removal_is_warned_first_then_only_proposed_to_a_person(session: Session) -> None:
    # (375 + 0) / 25 = 15.00, below the removal line of 40 with 10 inputs
    program, expert = expert_with_reviews(session, ["0"] * 10)

    quality_service.review_tiers(session, WEEK)
    status_after_warning = enrollment_of(session, expert, program).status
    summary = quality_service.review_tiers(session, WEEK + timedelta(days=14))

    (warning,) = warnings_of(session, expert)
    (case,) = session.scalars(select(HumanReview).where(HumanReview.expert_id == expert.id))
    assert warning.kind == WarningKind.REMOVAL
    assert status_after_warning == EnrollmentStatus.ACTIVE
    assert summary.counts["removal_proposed"] == 1
    assert enrollment_of(session, expert, program).status == EnrollmentStatus.ACTIVE
    assert (case.kind, case.proposed_status, case.status, case.raised_by) == (
        HumanReviewKind.PROPOSAL,
        EnrollmentStatus.REMOVED,
        HumanReviewStatus.OPEN,
        "quality.review_tiers",
    )
    assert case.request.startswith(f"Quality score 15.00 in {program.name} is still below 40")


def test_a_paused_enrollment_keeps_its_tier(session: Session) -> None:
    program, expert = expert_with_reviews(session, ["50"] * 10, tier=Tier.SENIOR)
    enrollment_of(session, expert, program).status = EnrollmentStatus.PAUSED

    summary = quality_service.review_tiers(session, WEEK)

    assert summary.counts["evaluated"] == 0
    assert warnings_of(session, expert) == []
    assert enrollment_of(session, expert, program).tier == Tier.SENIOR


def test_the_repeating_tier_job_queues_next_week_once(session: Session) -> None:
    program, expert = expert_with_reviews(session, ["80"] * 10)
    handler = get_handler("quality.review_tiers")
    payload = {"week_start": "2026-12-02", "repeat": True}

    handler(session, payload)
    handler(session, payload)

    queued = session.scalars(select(Job).where(Job.name == "quality.review_tiers")).all()
    assert [(job.payload, job.run_at) for job in queued] == [
        ({"week_start": "2026-12-07", "repeat": True}, datetime(2026, 12, 7, tzinfo=UTC))
    ]
    assert enrollment_of(session, expert, program).tier == Tier.ESTABLISHED
