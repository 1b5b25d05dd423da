"""Appeals: an expert contests a review or a rating once; a person decides, with a reason."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.db.dialect import locked
from gigcx.db.helpers import insert_or_get
from gigcx.errors import PermissionDenied
from gigcx.experts import service as experts_service
from gigcx.kit import clock
from gigcx.quality import formulas
from gigcx.quality.enums import DisputeStatus, DisputeSubject, ReviewReason, ReviewStatus
from gigcx.quality.errors import AlreadyDisputed, DisputeDecided, DisputeNotFound, NotDisputable
from gigcx.quality.models import Dispute, Rating, Review
from gigcx.quality.queries import readable_disputes
from gigcx.quality.schemas import DisputeCreate, DisputeDecision
from gigcx.quality.service._performance import counts_against_expert
from gigcx.quality.service._score import refresh_quality_score


def _subject(session: Session, data: DisputeCreate, expert_id: uuid.UUID) -> Review | Rating:
    if data.subject_type == DisputeSubject.REVIEW:
        review = session.get(Review, data.subject_id)
        if review is None or review.expert_id != expert_id:
            raise NotDisputable("no such review of your work")
        if review.status != ReviewStatus.COMPLETED or review.reason == ReviewReason.CALIBRATION:
            raise NotDisputable("only completed QA reviews that count toward your score")
        if not formulas.can_appeal(review.score, top=formulas.TOP_REVIEW_SCORE):
            raise NotDisputable("this review gave the top score (100); there is nothing to appeal")
        return review
    rating = session.get(Rating, data.subject_id)
    if rating is None or rating.expert_id != expert_id:
        raise NotDisputable("no such rating of your work")
    if not formulas.can_appeal(rating.score, top=formulas.TOP_RATING):
        raise NotDisputable("this rating is the top score (5 of 5); there is nothing to appeal")
    return rating


def open_dispute(session: Session, principal: Principal, data: DisputeCreate) -> Dispute:
    """Appeal a review or a rating; each can be appealed once."""
    expert = experts_service.current_expert(session, principal)
    subject = _subject(session, data, expert.id)
    dispute = Dispute(
        brand_id=subject.brand_id,
        program_id=subject.program_id,
        expert_id=expert.id,
        subject_type=data.subject_type,
        subject_id=subject.id,
        reason=data.reason,
    )
    dispute, is_new = insert_or_get(
        session,
        dispute,
        lambda: session.scalar(
            select(Dispute).where(
                Dispute.subject_type == data.subject_type, Dispute.subject_id == subject.id
            )
        ),
    )
    if not is_new:
        raise AlreadyDisputed()
    audit_service.record(
        session,
        actor=principal,
        action="dispute.opened",
        subject_type="dispute",
        subject_id=dispute.id,
        brand_id=dispute.brand_id,
        data={"subject_type": data.subject_type, "subject_id": str(subject.id)},
    )
    return dispute


def get_dispute(session: Session, principal: Principal, dispute_id: uuid.UUID) -> Dispute:
    dispute = session.scalar(readable_disputes(principal).where(Dispute.id == dispute_id))
    if dispute is None:
        raise DisputeNotFound()
    return dispute


def list_disputes(
    session: Session, principal: Principal, *, status: DisputeStatus | None = None
) -> list[Dispute]:
    statement = readable_disputes(principal)
    if status is not None:
        statement = statement.where(Dispute.status == status)
    return list(
        session.scalars(statement.order_by(Dispute.created_at.desc(), Dispute.id).limit(200))
    )


def decide_dispute(
    session: Session, principal: Principal, dispute_id: uuid.UUID, data: DisputeDecision
) -> Dispute:
    """Decide an appeal; an overturned review or rating no longer counts toward the score."""
    if principal.user_id is None or not principal.is_brand_staff:
        raise PermissionDenied("a person on the brand's staff decides appeals, signed in")
    dispute = get_dispute(session, principal, dispute_id)
    statement = locked(session, select(Dispute).where(Dispute.id == dispute.id))
    dispute = session.scalars(statement.execution_options(populate_existing=True)).one()
    if dispute.status != DisputeStatus.OPEN:
        raise DisputeDecided(dispute.status)
    dispute.status = DisputeStatus.OVERTURNED if data.overturn else DisputeStatus.UPHELD
    dispute.decision_reason = data.reason
    dispute.decided_by_user_id = principal.user_id
    dispute.decided_at = clock.now()
    if data.overturn:
        subject: Review | Rating = (
            session.get_one(Review, dispute.subject_id)
            if dispute.subject_type == DisputeSubject.REVIEW
            else session.get_one(Rating, dispute.subject_id)
        )
        counted = isinstance(subject, Rating) and counts_against_expert(subject)
        subject.is_voided = True
        if counted:
            assert isinstance(subject, Rating)
            experts_service.withdraw_rating(
                session,
                expert_id=dispute.expert_id,
                program_id=dispute.program_id,
                score=subject.score,
            )
    session.flush()
    refresh_quality_score(session, expert_id=dispute.expert_id, program_id=dispute.program_id)
    audit_service.record(
        session,
        actor=principal,
        action="dispute.decided",
        subject_type="dispute",
        subject_id=dispute.id,
        brand_id=dispute.brand_id,
        data={"status": dispute.status, "reason": data.reason},
    )
    return dispute
