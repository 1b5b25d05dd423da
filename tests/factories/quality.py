from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.enums import Role
from gigcx.auth.models import User
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.experts.enums import Tier
from gigcx.experts.models import Enrollment, Expert
from gigcx.quality import service as quality_service
from gigcx.quality.enums import RatingReason, ReviewReason, ReviewStatus
from gigcx.quality.models import Rating, Review, Scorecard
from gigcx.quality.schemas import CriterionIn, ScorecardPut
from gigcx.tickets.models import Ticket
from tests.factories.brands import brand_admin
from tests.factories.experts import make_expert
from tests.factories.tickets import make_ticket

CRITERIA = (
    CriterionIn(key="greeting", label="Greets the customer", weight=1),
    CriterionIn(key="accuracy", label="Answer is right", weight=3),
    CriterionIn(key="tone", label="Friendly tone", weight=1),
    CriterionIn(key="no-pii-leak", label="No personal data leaked", weight=0, is_auto_fail=True),
)


def make_scorecard(session: Session, program: Program, **overrides: object) -> Scorecard:
    fields: dict[str, object] = {"name": "Support QA", "criteria": list(CRITERIA)}
    fields.update(overrides)
    brand = session.get_one(Brand, program.brand_id)
    return quality_service.put_scorecard(
        session, brand_admin(brand), program.id, ScorecardPut.model_validate(fields)
    )


def add_rating(
    session: Session,
    program: Program,
    expert: Expert,
    score: int,
    *,
    reason: RatingReason = RatingReason.HELPFUL,
    at: datetime,
    ticket: Ticket | None = None,
) -> Rating:
    """A stored rating at ``at`` for a fresh ticket of the program (no routing)."""
    ticket = ticket or make_ticket(session, program, route=False)
    rating = Rating(
        ticket_id=ticket.id,
        brand_id=program.brand_id,
        program_id=program.id,
        expert_id=expert.id,
        score=score,
        reason=reason,
        created_at=at,
    )
    session.add(rating)
    session.flush()
    return rating


def add_review(
    session: Session,
    ticket: Ticket,
    expert: Expert,
    score: str,
    *,
    at: datetime,
    reason: ReviewReason = ReviewReason.SAMPLED,
) -> Review:
    """A completed review with the given score at ``at``."""
    scorecard = session.scalars(
        select(Scorecard).where(Scorecard.program_id == ticket.program_id)
    ).one()
    review = Review(
        brand_id=ticket.brand_id,
        program_id=ticket.program_id,
        ticket_id=ticket.id,
        expert_id=expert.id,
        scorecard_id=scorecard.id,
        reason=reason,
        status=ReviewStatus.COMPLETED,
        score=Decimal(score),
        completed_at=at,
    )
    session.add(review)
    session.flush()
    return review


def enrollment_of(session: Session, expert: Expert, program: Program) -> Enrollment:
    return session.scalars(
        select(Enrollment).where(
            Enrollment.expert_id == expert.id, Enrollment.program_id == program.id
        )
    ).one()


def staff(session: Session, brand: Brand) -> Principal:
    """The brand's admin, signed in (a person, with a user id)."""
    user = session.scalars(select(User).where(User.brand_id == brand.id)).one()
    return Principal(role=Role.BRAND_ADMIN, brand_id=brand.id, user_id=user.id)


def make_senior(session: Session, program: Program) -> Expert:
    expert = make_expert(session, programs=[program])
    enrollment_of(session, expert, program).tier = Tier.SENIOR
    session.flush()
    return expert
