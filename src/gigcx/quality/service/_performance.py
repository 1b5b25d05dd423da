"""Customer ratings (CSAT), and the ratings and response times an expert sees on Performance."""

import statistics
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.db.helpers import insert_or_get
from gigcx.errors import PermissionDenied
from gigcx.experts import service as experts_service
from gigcx.experts.models import Enrollment
from gigcx.experts.queries import readable_enrollments
from gigcx.jobs import events
from gigcx.kit import clock
from gigcx.quality.enums import UNCONTROLLABLE_REASONS, ReviewReason
from gigcx.quality.errors import AlreadyRated, TicketNotRateable
from gigcx.quality.models import Rating, Scorecard
from gigcx.quality.schemas import RatingCreate
from gigcx.quality.service._reviews import open_review
from gigcx.quality.service._score import refresh_quality_score
from gigcx.routing import scoring
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.models import Assignment, Ticket

RATEABLE_STATUSES = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})
TIMES = "\N{MULTIPLICATION SIGN}"
QUALITY_FORMULA = (
    f"(prior weight {TIMES} prior mean + sum of counted ratings) / (prior weight + count)"
)


def counts_against_expert(rating: Rating) -> bool:
    """A rating counts toward the expert's score unless its reason is beyond their control."""
    return (
        rating.expert_id is not None
        and not rating.is_voided
        and rating.reason not in UNCONTROLLABLE_REASONS
    )


def rate_ticket(
    session: Session, principal: Principal, ticket_id: uuid.UUID, data: RatingCreate
) -> Rating:
    """Record the customer's rating of a resolved ticket, once."""
    if not principal.can_speak_for_customers:
        raise PermissionDenied("ratings come in with the brand's API key")
    ticket = tickets_service.lock_ticket(session, principal, ticket_id)
    if ticket.status not in RATEABLE_STATUSES:
        raise TicketNotRateable(ticket.status)
    rating = Rating(
        ticket_id=ticket.id,
        brand_id=ticket.brand_id,
        program_id=ticket.program_id,
        expert_id=ticket.last_expert_id,
        score=data.score,
        reason=data.reason,
        comment=data.comment,
    )
    rating, is_new = insert_or_get(
        session, rating, lambda: session.scalar(select(Rating).where(Rating.ticket_id == ticket.id))
    )
    if not is_new:
        raise AlreadyRated()
    if counts_against_expert(rating):
        assert rating.expert_id is not None
        experts_service.record_rating(
            session, expert_id=rating.expert_id, program_id=ticket.program_id, score=rating.score
        )
    if rating.expert_id is not None and counts_against_expert(rating):
        refresh_quality_score(session, expert_id=rating.expert_id, program_id=rating.program_id)
        scorecard = session.scalar(
            select(Scorecard).where(Scorecard.program_id == ticket.program_id)
        )
        if scorecard is not None and rating.score <= scorecard.low_csat_max:
            open_review(session, ticket, rating.expert_id, ReviewReason.LOW_CSAT)
    audit_service.record(
        session,
        actor=principal,
        action="ticket.rated",
        subject_type="ticket",
        subject_id=ticket.id,
        brand_id=ticket.brand_id,
        data={"score": rating.score, "reason": rating.reason},
    )
    session.flush()
    events.emit(
        session,
        brand_id=ticket.brand_id,
        event_type=events.EventType.TICKET_RATED,
        data={"ticket_id": str(ticket.id), "rating_id": str(rating.id), "score": rating.score},
    )
    return rating


@dataclass(frozen=True, slots=True)
class RatingLine:
    """A rating the expert received; ``is_counted`` is false for reasons beyond their control."""

    rating: Rating
    program_name: str
    is_counted: bool


@dataclass(frozen=True, slots=True)
class QualityScore:
    """An enrollment's published quality score with every input of its formula."""

    program_id: uuid.UUID
    program_name: str
    brand_name: str
    enrollment_status: str
    rating_count: int
    rating_sum: int
    prior_weight: int = scoring.PRIOR_WEIGHT
    prior_mean: float = scoring.PRIOR_MEAN

    @property
    def score(self) -> float:
        return scoring.bayesian_rating(self.rating_count, self.rating_sum)

    @property
    def routing_term(self) -> float:
        """The average rating mapped from 1..5 to 0..1."""
        return (self.score - 1.0) / 4.0

    @property
    def worked_formula(self) -> str:
        return (
            f"({self.prior_weight} {TIMES} {self.prior_mean} + {self.rating_sum}) / "
            f"({self.prior_weight} + {self.rating_count}) = {self.score:.2f}"
        )


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """Seconds from assignment to the ticket's first response, for one program or all."""

    label: str
    seconds: list[float]

    @property
    def count(self) -> int:
        return len(self.seconds)

    @property
    def median_seconds(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None


@dataclass(frozen=True, slots=True)
class Performance:
    ratings: list[RatingLine]
    scores: list[QualityScore]
    response_times: list[ResponseTimes]
    since: datetime

    formula: str = QUALITY_FORMULA


def expert_performance(
    session: Session,
    principal: Principal,
    expert_id: uuid.UUID,
    *,
    days: int = 30,
    ratings_limit: int = 100,
) -> Performance:
    """Gather an expert's ratings, quality score per program and first-response times.

    A response time is measured on tickets whose first response came while this expert held
    them: from the start of that assignment to the response. The first entry covers all
    programs, then one per program, over the last ``days`` days.
    """
    expert = experts_service.get_expert(session, principal, expert_id)
    since = clock.now() - timedelta(days=days)
    brand_only = principal.brand_id if principal.is_brand_staff else None

    ratings = select(Rating, Program.name).join(Program, Program.id == Rating.program_id)
    if brand_only is not None:
        ratings = ratings.where(Rating.brand_id == brand_only)
    rows = session.execute(
        ratings.where(Rating.expert_id == expert.id)
        .order_by(Rating.created_at.desc(), Rating.id)
        .limit(ratings_limit)
    ).all()
    lines = [RatingLine(r, name, counts_against_expert(r)) for r, name in rows]

    enrollments = session.execute(
        readable_enrollments(principal)
        .join(Program, Program.id == Enrollment.program_id)
        .join(Brand, Brand.id == Program.brand_id)
        .where(Enrollment.expert_id == expert.id)
        .with_only_columns(Enrollment, Program.name, Brand.name)
        .order_by(Brand.name, Program.name)
    ).all()
    scores = [
        QualityScore(
            program_id=e.program_id,
            program_name=program_name,
            brand_name=brand_name,
            enrollment_status=e.status,
            rating_count=e.rating_count,
            rating_sum=e.rating_sum,
        )
        for e, program_name, brand_name in enrollments
    ]

    responded = (
        select(Assignment.started_at, Ticket.first_response_at, Program.name)
        .join(Ticket, Ticket.id == Assignment.ticket_id)
        .join(Program, Program.id == Ticket.program_id)
        .where(
            Assignment.expert_id == expert.id,
            Assignment.started_at >= since,
            Ticket.first_response_at >= Assignment.started_at,
            or_(Assignment.ended_at.is_(None), Ticket.first_response_at <= Assignment.ended_at),
        )
        .order_by(Program.name)
    )
    if brand_only is not None:
        responded = responded.where(Ticket.brand_id == brand_only)
    overall = ResponseTimes("All programs", [])
    by_program: dict[str, ResponseTimes] = {}
    for started_at, first_response_at, program_name in session.execute(responded).all():
        assert first_response_at is not None
        seconds = (first_response_at - started_at).total_seconds()
        overall.seconds.append(seconds)
        by_program.setdefault(program_name, ResponseTimes(program_name, [])).seconds.append(seconds)
    return Performance(lines, scores, [overall, *by_program.values()], since)
