"""Decisions about experts: who restricted an enrollment and why, and the human review queue."""

import uuid

from fastapi import APIRouter

from gigcx.api.deps import BrandManager, CurrentPrincipal, ExpertPrincipal, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.experts import service as experts_service
from gigcx.experts.schemas import EnrollmentDecisionRead
from gigcx.quality import service as quality_service
from gigcx.quality.enums import HumanReviewStatus
from gigcx.quality.schemas import HumanReviewCreate, HumanReviewDecision, HumanReviewRead

router = APIRouter(tags=["human review"], responses=ERROR_RESPONSES)


@router.get("/enrollment-decisions")
def list_decisions(
    session: SessionDep, principal: CurrentPrincipal, expert_id: uuid.UUID | None = None
) -> list[EnrollmentDecisionRead]:
    """Pauses and removals decided by people, with who decided and the reason, newest first."""
    decisions = experts_service.list_decisions(session, principal, expert_id=expert_id)
    return [EnrollmentDecisionRead.model_validate(d) for d in decisions]


@router.post("/human-reviews", status_code=201)
def request_review(
    session: SessionDep, principal: ExpertPrincipal, body: HumanReviewCreate
) -> HumanReviewRead:
    """Ask a person at the brand to review a decision or an automated result about you.

    It is due within the platform's review time (7 days unless configured); you see the
    outcome and the reason.
    """
    return HumanReviewRead.model_validate(quality_service.request_review(session, principal, body))


@router.get("/human-reviews")
def list_human_reviews(
    session: SessionDep,
    principal: CurrentPrincipal,
    status: HumanReviewStatus | None = None,
) -> list[HumanReviewRead]:
    """The brand's review queue (open cases by due time first), or an expert's own cases."""
    cases = quality_service.list_human_reviews(session, principal, status=status)
    return [HumanReviewRead.model_validate(c) for c in cases]


@router.post("/human-reviews/{review_id}/decision")
def decide_human_review(
    session: SessionDep, principal: BrandManager, review_id: uuid.UUID, body: HumanReviewDecision
) -> HumanReviewRead:
    """Decide a case with a reason the expert is shown (a signed-in admin, not an API key).

    A proposal is ``applied`` (the enrollment is paused or removed in your name) or
    ``dismissed``; an expert's request is ``upheld`` or ``overturned`` (a contested pause or
    removal is undone).
    """
    case = quality_service.decide_human_review(session, principal, review_id, body)
    return HumanReviewRead.model_validate(case)
