"""No automated path pauses or removes an expert: a named person decides, with a reason."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth.enums import Role
from gigcx.auth.models import User
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.config import get_settings
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.errors import DecisionNeedsAPerson, DecisionNeedsAReason, EnrollmentNotFound
from gigcx.experts.models import Enrollment, EnrollmentDecision
from gigcx.quality import service as quality_service
from gigcx.quality.enums import (
    ContestedSystem,
    HumanReviewKind,
    HumanReviewOutcome,
    HumanReviewStatus,
)
from gigcx.quality.errors import BadHumanReviewOutcome
from gigcx.quality.schemas import HumanReviewCreate, HumanReviewDecision
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.quality import enrollment_of, staff


def setup(session: Session) -> tuple[Enrollment, Principal]:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    return enrollment_of(session, expert, program), staff(session, brand)


def decisions(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(EnrollmentDecision)) or 0


@pytest.mark.parametrize("status", [EnrollmentStatus.PAUSED, EnrollmentStatus.REMOVED])
def test_the_system_cannot_pause_or_remove_an_expert(
    session: Session, status: EnrollmentStatus
) -> None:
    enrollment, _ = setup(session)

    with pytest.raises(DecisionNeedsAPerson) as refused:
        experts_service.apply_status(session, enrollment, status, actor=SYSTEM, reason="low score")

    assert refused.value.status_code == 403
    assert "a named person must decide it" in refused.value.detail
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert decisions(session) == 0


def test_an_api_key_is_not_a_person_and_cannot_remove(session: Session) -> None:
    enrollment, admin = setup(session)
    key = Principal(role=Role.API_KEY, brand_id=admin.brand_id, api_key_id=uuid.uuid4())

    with pytest.raises(DecisionNeedsAPerson):
        experts_service.change_enrollment(
            session, key, enrollment.id, EnrollmentStatus.REMOVED, reason="spam"
        )

    assert enrollment.status == EnrollmentStatus.ACTIVE


def test_a_staff_decision_without_a_reason_is_refused(session: Session) -> None:
    enrollment, admin = setup(session)

    with pytest.raises(DecisionNeedsAReason) as refused:
        experts_service.change_enrollment(
            session, admin, enrollment.id, EnrollmentStatus.PAUSED, reason="   "
        )

    assert refused.value.status_code == 400
    assert "write the reason for setting this enrollment to paused" in refused.value.detail
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert decisions(session) == 0


def test_a_named_admin_pauses_with_a_reason_the_expert_sees(session: Session) -> None:
    enrollment, admin = setup(session)
    user = session.get_one(User, admin.user_id)
    expert = as_expert_of(enrollment)

    experts_service.change_enrollment(
        session, admin, enrollment.id, EnrollmentStatus.PAUSED, reason="Two rude replies today"
    )

    (decision,) = experts_service.list_decisions(session, expert)
    assert enrollment.status == EnrollmentStatus.PAUSED
    assert (decision.to_status, decision.reason, decision.decided_by_name) == (
        EnrollmentStatus.PAUSED,
        "Two rude replies today",
        user.display_name or user.email,
    )


def test_an_expert_pauses_themselves_without_giving_a_reason(session: Session) -> None:
    enrollment, _ = setup(session)

    experts_service.change_enrollment(
        session, as_expert_of(enrollment), enrollment.id, EnrollmentStatus.PAUSED
    )

    assert enrollment.status == EnrollmentStatus.PAUSED
    assert decisions(session) == 0


def as_expert_of(enrollment: Enrollment) -> Principal:
    return Principal(role=Role.EXPERT, expert_id=enrollment.expert_id)


def test_a_proposal_changes_nothing_until_an_admin_applies_it(session: Session) -> None:
    enrollment, admin = setup(session)
    case = quality_service.propose_restriction(
        session,
        enrollment,
        EnrollmentStatus.REMOVED,
        raised_by="quality.review_tiers",
        grounds="Score 15 below 40",
    )
    status_while_open = enrollment.status

    with pytest.raises(BadHumanReviewOutcome):
        quality_service.decide_human_review(
            session, admin, case.id, HumanReviewDecision(outcome="upheld", reason="fine by me")
        )
    quality_service.decide_human_review(
        session,
        admin,
        case.id,
        HumanReviewDecision(outcome="applied", reason="Checked the reviews: they hold"),
    )

    (decision,) = experts_service.list_decisions(session, as_expert_of(enrollment))
    assert status_while_open == EnrollmentStatus.ACTIVE
    assert enrollment.status == EnrollmentStatus.REMOVED
    assert decision.reason == "Checked the reviews: they hold"
    assert (case.status, case.outcome) == (HumanReviewStatus.DECIDED, HumanReviewOutcome.APPLIED)


def test_a_dismissed_proposal_leaves_the_expert_working(session: Session) -> None:
    enrollment, admin = setup(session)
    case = quality_service.propose_restriction(
        session, enrollment, EnrollmentStatus.REMOVED, raised_by="test", grounds="low score"
    )

    quality_service.decide_human_review(
        session, admin, case.id, HumanReviewDecision(outcome="dismissed", reason="New expert")
    )

    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert decisions(session) == 0
    assert case.outcome_reason == "New expert"


def test_an_expert_asks_for_a_review_and_an_overturned_removal_is_undone(
    session: Session,
) -> None:
    enrollment, admin = setup(session)
    experts_service.change_enrollment(
        session, admin, enrollment.id, EnrollmentStatus.REMOVED, reason="Shared a customer's email"
    )
    expert = as_expert_of(enrollment)
    (decision,) = experts_service.list_decisions(session, expert)

    case = quality_service.request_review(
        session,
        expert,
        HumanReviewCreate(
            enrollment_id=enrollment.id,
            subject=ContestedSystem.DECISION,
            decision_id=decision.id,
            request="The email was the customer's own, quoted back to them.",
        ),
    )
    queue = quality_service.list_human_reviews(session, admin, status=HumanReviewStatus.OPEN)
    quality_service.decide_human_review(
        session,
        admin,
        case.id,
        HumanReviewDecision(outcome="overturned", reason="Right: it was their own address"),
    )

    (seen,) = quality_service.list_human_reviews(session, expert)
    assert [c.id for c in queue] == [case.id]
    assert case.kind == HumanReviewKind.REQUEST
    assert case.due_at == case.created_at + timedelta(days=7)
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert (seen.outcome, seen.outcome_reason) == (
        HumanReviewOutcome.OVERTURNED,
        "Right: it was their own address",
    )


def test_the_review_time_is_configurable(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    enrollment, _ = setup(session)
    monkeypatch.setenv("GIGCX_HUMAN_REVIEW_DAYS", "3")
    get_settings.cache_clear()
    try:
        case = quality_service.request_review(
            session,
            as_expert_of(enrollment),
            HumanReviewCreate(
                enrollment_id=enrollment.id,
                subject=ContestedSystem.ROUTING,
                request="I get no offers although I am idle.",
            ),
        )
    finally:
        monkeypatch.delenv("GIGCX_HUMAN_REVIEW_DAYS")
        get_settings.cache_clear()

    assert case.due_at == case.created_at + timedelta(days=3)


def test_another_expert_cannot_ask_about_someone_elses_enrollment(session: Session) -> None:
    enrollment, _ = setup(session)
    other = make_expert(session)

    with pytest.raises(EnrollmentNotFound):
        quality_service.request_review(
            session,
            as_expert(other),
            HumanReviewCreate(
                enrollment_id=enrollment.id,
                subject=ContestedSystem.TIER,
                request="Please look at my tier again.",
            ),
        )

    assert quality_service.list_human_reviews(session, SYSTEM) == []
