"""Human review: automated checks propose, people decide; experts ask for a person's review.

No automated path pauses or removes an expert (``experts_service.apply_status`` refuses it).
A check that would restrict an enrollment files a proposal here; brand staff apply or dismiss it
with a written reason. An expert may ask a person to review a decision or an automated result
(triage, routing, quality score, tier, warning, surge, being set away); the outcome and its
reason are shown to them.
"""

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.models import User
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands.models import Program
from gigcx.config import get_settings
from gigcx.db.dialect import locked
from gigcx.errors import PermissionDenied
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, EnrollmentDecision
from gigcx.kit import clock
from gigcx.quality.enums import (
    ContestedSystem,
    HumanReviewKind,
    HumanReviewOutcome,
    HumanReviewStatus,
)
from gigcx.quality.errors import (
    BadHumanReviewOutcome,
    HumanReviewDecided,
    HumanReviewNotAllowed,
    HumanReviewNotFound,
)
from gigcx.quality.models import HumanReview
from gigcx.quality.queries import readable_human_reviews
from gigcx.quality.schemas import HumanReviewCreate, HumanReviewDecision

OUTCOMES: dict[HumanReviewKind, tuple[HumanReviewOutcome, ...]] = {
    HumanReviewKind.PROPOSAL: (HumanReviewOutcome.APPLIED, HumanReviewOutcome.DISMISSED),
    HumanReviewKind.REQUEST: (HumanReviewOutcome.UPHELD, HumanReviewOutcome.OVERTURNED),
}


def review_due() -> timedelta:
    """How long staff have to decide a case (``GIGCX_HUMAN_REVIEW_DAYS``, 7 by default)."""
    return timedelta(days=max(get_settings().human_review_days, 1))


def _brand_of(session: Session, program_id: uuid.UUID) -> uuid.UUID:
    return session.get_one(Program, program_id).brand_id


def propose_restriction(
    session: Session,
    enrollment: Enrollment,
    status: EnrollmentStatus,
    *,
    raised_by: str,
    grounds: str,
) -> HumanReview:
    """File an automated check's proposal to pause or remove an enrollment; nothing changes yet.

    One open proposal per enrollment: a second one returns the first.
    """
    open_one = session.scalar(
        select(HumanReview).where(
            HumanReview.enrollment_id == enrollment.id,
            HumanReview.kind == HumanReviewKind.PROPOSAL,
            HumanReview.status == HumanReviewStatus.OPEN,
        )
    )
    if open_one is not None:
        return open_one
    brand_id = _brand_of(session, enrollment.program_id)
    case = HumanReview(
        kind=HumanReviewKind.PROPOSAL,
        brand_id=brand_id,
        program_id=enrollment.program_id,
        enrollment_id=enrollment.id,
        expert_id=enrollment.expert_id,
        subject=ContestedSystem.DECISION,
        proposed_status=status,
        raised_by=raised_by,
        request=grounds,
        created_at=(now := clock.now()),
        due_at=now + review_due(),
    )
    session.add(case)
    session.flush()
    audit_service.record(
        session,
        actor=SYSTEM,
        action="human_review.proposed",
        subject_type="enrollment",
        subject_id=enrollment.id,
        brand_id=brand_id,
        data={"status": status, "raised_by": raised_by, "grounds": grounds},
    )
    return case


def request_review(session: Session, principal: Principal, data: HumanReviewCreate) -> HumanReview:
    """Ask a person at the brand to review a decision or an automated result about you."""
    expert = experts_service.current_expert(session, principal)
    enrollment = experts_service.get_enrollment(session, principal, data.enrollment_id)
    decision_id = None
    if data.subject == ContestedSystem.DECISION:
        decision = session.get(EnrollmentDecision, data.decision_id) if data.decision_id else None
        if decision is None or decision.enrollment_id != enrollment.id:
            raise HumanReviewNotAllowed(
                "name the decision to review in 'decision_id' (one listed under your "
                "enrollment's decisions); for an automated result pick its system as 'subject'"
            )
        decision_id = decision.id
    already = session.scalar(
        select(HumanReview).where(
            HumanReview.expert_id == expert.id,
            HumanReview.enrollment_id == enrollment.id,
            HumanReview.kind == HumanReviewKind.REQUEST,
            HumanReview.subject == data.subject,
            HumanReview.status == HumanReviewStatus.OPEN,
        )
    )
    if already is not None:
        raise HumanReviewNotAllowed(
            "you already asked for a review of this; a person answers it by "
            f"{already.due_at.date().isoformat()}"
        )
    brand_id = _brand_of(session, enrollment.program_id)
    case = HumanReview(
        kind=HumanReviewKind.REQUEST,
        brand_id=brand_id,
        program_id=enrollment.program_id,
        enrollment_id=enrollment.id,
        expert_id=expert.id,
        subject=data.subject,
        decision_id=decision_id,
        raised_by="expert",
        request=data.request.strip(),
        created_at=(now := clock.now()),
        due_at=now + review_due(),
    )
    session.add(case)
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="human_review.requested",
        subject_type="enrollment",
        subject_id=enrollment.id,
        brand_id=brand_id,
        data={"subject": data.subject},
    )
    return case


def list_human_reviews(
    session: Session,
    principal: Principal,
    *,
    status: HumanReviewStatus | None = None,
    expert_id: uuid.UUID | None = None,
) -> list[HumanReview]:
    """Cases the principal may read: open ones by due time first, then the newest decided."""
    statement = readable_human_reviews(principal)
    if status is not None:
        statement = statement.where(HumanReview.status == status)
    if expert_id is not None:
        statement = statement.where(HumanReview.expert_id == expert_id)
    order = (HumanReview.status.desc(), HumanReview.due_at, HumanReview.id)
    return list(session.scalars(statement.order_by(*order).limit(200)))


def get_human_review(session: Session, principal: Principal, review_id: uuid.UUID) -> HumanReview:
    case = session.scalar(readable_human_reviews(principal).where(HumanReview.id == review_id))
    if case is None:
        raise HumanReviewNotFound()
    return case


def _decider(session: Session, principal: Principal) -> User:
    if principal.user_id is None or principal.api_key_id is not None:
        raise PermissionDenied(
            "a named person decides review cases: sign in as a brand admin, not with an API key"
        )
    if not (principal.can_manage_brand or principal.is_platform_admin):
        raise PermissionDenied("only the brand's admins decide review cases; ask one of them")
    user = session.get(User, principal.user_id)
    if user is None or not user.is_active:
        raise PermissionDenied("sign in again: your account cannot decide review cases")
    return user


def decide_human_review(
    session: Session, principal: Principal, review_id: uuid.UUID, data: HumanReviewDecision
) -> HumanReview:
    """Decide a case with a written reason, shown to the expert.

    Applying a proposal pauses or removes the enrollment in the decider's name. Overturning a
    contested pause or removal resumes or reinstates the enrollment.
    """
    user = _decider(session, principal)
    case = get_human_review(session, principal, review_id)
    statement = locked(session, select(HumanReview).where(HumanReview.id == case.id))
    case = session.scalars(statement.execution_options(populate_existing=True)).one()
    if case.status != HumanReviewStatus.OPEN or case.outcome is not None:
        raise HumanReviewDecided(case.outcome or case.status)
    allowed = OUTCOMES[HumanReviewKind(case.kind)]
    if data.outcome not in allowed:
        raise BadHumanReviewOutcome(case.kind, [o.value for o in allowed])
    reason = data.reason.strip()
    enrollment = experts_service.find_enrollment(
        session, expert_id=case.expert_id, program_id=case.program_id, lock=True
    )
    assert enrollment is not None
    if data.outcome == HumanReviewOutcome.APPLIED and case.proposed_status:
        wanted = EnrollmentStatus(case.proposed_status)
        experts_service.apply_status(session, enrollment, wanted, actor=principal, reason=reason)
    if data.outcome == HumanReviewOutcome.OVERTURNED and case.decision_id is not None:
        _undo_decision(session, principal, enrollment, case, reason)
    case.status = HumanReviewStatus.DECIDED
    case.outcome = data.outcome
    case.outcome_reason = reason
    case.decided_by_user_id = user.id
    case.decided_by_name = user.display_name or user.email
    case.decided_at = clock.now()
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="human_review.decided",
        subject_type="enrollment",
        subject_id=case.enrollment_id,
        brand_id=case.brand_id,
        data={"kind": case.kind, "outcome": data.outcome, "reason": reason},
    )
    return case


def _undo_decision(
    session: Session,
    principal: Principal,
    enrollment: Enrollment,
    case: HumanReview,
    reason: str,
) -> None:
    """Bring back an enrollment whose contested pause or removal still holds."""
    decision = session.get_one(EnrollmentDecision, case.decision_id)
    if enrollment.status != decision.to_status:
        return  # changed since (resumed, or removed later): nothing to undo
    experts_service.apply_status(
        session,
        enrollment,
        EnrollmentStatus.ACTIVE,
        actor=principal,
        reason=f"review overturned the decision: {reason}",
        is_reinstatement=enrollment.status == EnrollmentStatus.REMOVED,
    )
