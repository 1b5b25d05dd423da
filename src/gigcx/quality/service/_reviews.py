"""QA scorecards, sampling of resolved tickets and the review tasks that score them."""

import hashlib
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.db.dialect import locked
from gigcx.db.helpers import insert_or_get
from gigcx.errors import PermissionDenied
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus, Tier
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.quality import formulas
from gigcx.quality.enums import ReviewReason, ReviewStatus
from gigcx.quality.errors import (
    BadReviewAnswers,
    NotAReviewer,
    ReviewNotFound,
    ReviewNotOpen,
    ReviewTaken,
    ScorecardNotFound,
)
from gigcx.quality.models import Review, Scorecard, ScorecardCriterion
from gigcx.quality.queries import readable_reviews, readable_scorecards, reviewable_tasks
from gigcx.quality.schemas import ReviewSubmit, ScorecardPut
from gigcx.quality.service._score import refresh_quality_score
from gigcx.tickets.models import Ticket


def get_scorecard(session: Session, principal: Principal, program_id: uuid.UUID) -> Scorecard:
    scorecard = session.scalar(
        readable_scorecards(principal).where(Scorecard.program_id == program_id)
    )
    if scorecard is None:
        raise ScorecardNotFound()
    return scorecard


def put_scorecard(
    session: Session, principal: Principal, program_id: uuid.UUID, data: ScorecardPut
) -> Scorecard:
    """Create or replace the program's scorecard and sampling rates."""
    program = brands_service.get_program(session, principal, program_id)
    if not (principal.is_platform_admin or principal.is_system) and not (
        principal.can_manage_brand and principal.brand_id == program.brand_id
    ):
        raise PermissionDenied("only the brand's admins edit its scorecards")
    keys = [c.key for c in data.criteria]
    if len(set(keys)) != len(keys):
        raise BadReviewAnswers("criterion keys must be unique within a scorecard")
    scorecard = session.scalar(select(Scorecard).where(Scorecard.program_id == program.id))
    if scorecard is None:
        scorecard = Scorecard(brand_id=program.brand_id, program_id=program.id, name=data.name)
        session.add(scorecard)
    scorecard.name = data.name
    scorecard.sample_percent_new = data.sample_percent_new
    scorecard.sample_percent_established = data.sample_percent_established
    scorecard.sample_percent_senior = data.sample_percent_senior
    scorecard.low_csat_max = data.low_csat_max
    scorecard.criteria.clear()
    session.flush()
    scorecard.criteria.extend(
        ScorecardCriterion(
            key=c.key,
            position=i,
            label=c.label,
            description=c.description,
            weight=c.weight,
            is_auto_fail=c.is_auto_fail,
        )
        for i, c in enumerate(data.criteria, start=1)
    )
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="scorecard.saved",
        subject_type="scorecard",
        subject_id=scorecard.id,
        brand_id=program.brand_id,
        data={"criteria": keys},
    )
    return scorecard


def sample_bucket(ticket_id: uuid.UUID) -> int:
    """A stable number 0..99 per ticket: a ticket is sampled when it falls below the rate."""
    return int(hashlib.sha256(ticket_id.bytes).hexdigest()[:8], 16) % 100


def open_review(
    session: Session, ticket: Ticket, expert_id: uuid.UUID, reason: ReviewReason
) -> Review | None:
    """Put a resolved ticket up for review, once; None if the program has no scorecard."""
    scorecard = session.scalar(select(Scorecard).where(Scorecard.program_id == ticket.program_id))
    if scorecard is None:
        return None
    review = Review(
        brand_id=ticket.brand_id,
        program_id=ticket.program_id,
        ticket_id=ticket.id,
        expert_id=expert_id,
        scorecard_id=scorecard.id,
        reason=reason,
        sample_key=str(ticket.id),
    )
    review, _ = insert_or_get(
        session,
        review,
        lambda: session.scalar(select(Review).where(Review.sample_key == str(ticket.id))),
    )
    return review


def sample_resolved_ticket(session: Session, ticket_id: uuid.UUID) -> Review | None:
    """Sample a resolved ticket for QA at the rate of its expert's tier."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.last_expert_id is None:
        return None
    scorecard = session.scalar(select(Scorecard).where(Scorecard.program_id == ticket.program_id))
    if scorecard is None:
        return None
    enrollment = experts_service.find_enrollment(
        session, expert_id=ticket.last_expert_id, program_id=ticket.program_id
    )
    tier = enrollment.tier if enrollment is not None else Tier.NEW
    if sample_bucket(ticket.id) >= scorecard.sample_percent(tier):
        return None
    return open_review(session, ticket, ticket.last_expert_id, ReviewReason.SAMPLED)


def get_review(session: Session, principal: Principal, review_id: uuid.UUID) -> Review:
    review = session.scalar(readable_reviews(principal).where(Review.id == review_id))
    if review is None:
        review = session.scalar(reviewable_tasks(principal).where(Review.id == review_id))
    if review is None:
        raise ReviewNotFound()
    return review


def list_reviews(
    session: Session,
    principal: Principal,
    *,
    expert_id: uuid.UUID | None = None,
    program_id: uuid.UUID | None = None,
    limit: int = 100,
) -> list[Review]:
    statement = readable_reviews(principal)
    if expert_id is not None:
        statement = statement.where(Review.expert_id == expert_id)
    if program_id is not None:
        statement = statement.where(Review.program_id == program_id)
    return list(
        session.scalars(statement.order_by(Review.created_at.desc(), Review.id).limit(limit))
    )


def review_queue(
    session: Session, principal: Principal, *, program_id: uuid.UUID | None = None
) -> list[Review]:
    """Open review tasks this principal may take, oldest first."""
    statement = reviewable_tasks(principal)
    if program_id is not None:
        statement = statement.where(Review.program_id == program_id)
    return list(session.scalars(statement.order_by(Review.created_at, Review.id).limit(200)))


def _lock_task(session: Session, principal: Principal, review_id: uuid.UUID) -> Review:
    if session.scalar(reviewable_tasks(principal).where(Review.id == review_id)) is None:
        existing = session.scalar(readable_reviews(principal).where(Review.id == review_id))
        if existing is None:
            raise ReviewNotFound()
        if existing.status != ReviewStatus.OPEN:
            raise ReviewNotOpen(existing.status)
        raise NotAReviewer(
            "you cannot review this ticket: reviewers are brand staff or senior experts of "
            "the program, never the expert who handled it"
        )
    statement = locked(session, select(Review).where(Review.id == review_id))
    return session.scalars(statement.execution_options(populate_existing=True)).one()


def _is_mine(review: Review, principal: Principal) -> bool:
    if principal.is_expert:
        return review.reviewer_expert_id == principal.expert_id
    return review.reviewer_user_id is not None and review.reviewer_user_id == principal.user_id


def claim_review(session: Session, principal: Principal, review_id: uuid.UUID) -> Review:
    """Take an open review task so nobody else scores the same ticket at the same time."""
    if principal.user_id is None and principal.expert_id is None:
        raise PermissionDenied("reviews are written by people: sign in as brand staff or expert")
    review = _lock_task(session, principal, review_id)
    if _is_mine(review, principal):
        return review
    if review.reviewer_user_id is not None or review.reviewer_expert_id is not None:
        raise ReviewTaken()
    if review.calibration_id is not None:
        mine = (
            Review.reviewer_expert_id == principal.expert_id
            if principal.is_expert
            else Review.reviewer_user_id == principal.user_id
        )
        if session.scalar(
            select(Review.id).where(Review.calibration_id == review.calibration_id, mine)
        ):
            raise ReviewTaken(
                "you already score this ticket in this calibration; "
                "the other tasks are for other reviewers"
            )
    if principal.is_expert:
        review.reviewer_expert_id = principal.expert_id
    else:
        review.reviewer_user_id = principal.user_id
    review.claimed_at = clock.now()
    session.flush()
    return review


def complete_review(
    session: Session, principal: Principal, review_id: uuid.UUID, data: ReviewSubmit
) -> Review:
    """Fill in the scorecard; an expert reviewer is paid per review through the ledger."""
    review = claim_review(session, principal, review_id)
    scorecard = session.get_one(Scorecard, review.scorecard_id)
    keys = {c.key for c in scorecard.criteria}
    missing = sorted(keys - set(data.answers))
    unknown = sorted(set(data.answers) - keys)
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"answer every criterion; missing: {', '.join(missing)}")
        if unknown:
            parts.append(f"not on this scorecard: {', '.join(unknown)}")
        raise BadReviewAnswers("; ".join(parts))
    score, auto_failed = formulas.review_score(
        [(c.key, c.weight, c.is_auto_fail) for c in scorecard.criteria], data.answers
    )
    review.answers = dict(data.answers)
    review.score = score
    review.is_auto_failed = auto_failed
    review.comment = data.comment
    review.status = ReviewStatus.COMPLETED
    review.completed_at = clock.now()
    session.flush()
    if review.reviewer_expert_id is not None:
        jobs_service.enqueue(
            session,
            "payments.earn_fee",
            {
                "kind": "review",
                "expert_id": str(review.reviewer_expert_id),
                "program_id": str(review.program_id),
                "source_key": f"review:{review.id}",
                "reference": str(review.id),
            },
        )
    if review.reason != ReviewReason.CALIBRATION:
        refresh_quality_score(session, expert_id=review.expert_id, program_id=review.program_id)
    audit_service.record(
        session,
        actor=principal,
        action="review.completed",
        subject_type="review",
        subject_id=review.id,
        brand_id=review.brand_id,
        data={"score": str(score), "auto_failed": auto_failed},
    )
    return review


def is_senior_reviewer(session: Session, expert_id: uuid.UUID, program_id: uuid.UUID) -> bool:
    enrollment = experts_service.find_enrollment(
        session, expert_id=expert_id, program_id=program_id
    )
    return (
        enrollment is not None
        and enrollment.status == EnrollmentStatus.ACTIVE
        and enrollment.tier == Tier.SENIOR
    )
