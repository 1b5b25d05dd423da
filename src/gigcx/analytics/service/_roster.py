"""Expert performance as the brand sees it: ratings, resolutions and pay in its programs."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.orm import Session

from gigcx.analytics.service._window import Window
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, Expert
from gigcx.experts.queries import readable_enrollments
from gigcx.kit.money import Money, quantize
from gigcx.payments.enums import EarningKind
from gigcx.payments.models import Earning
from gigcx.payments.queries import readable_earnings
from gigcx.quality.models import Rating
from gigcx.tickets.enums import AssignmentEnd
from gigcx.tickets.models import Assignment, Ticket
from gigcx.tickets.queries import readable_tickets

ROSTER_STATUSES = (EnrollmentStatus.ONBOARDING, EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)


@dataclass(frozen=True, slots=True)
class ExpertStats:
    """One expert on the brand's roster, with performance in the brand's programs only."""

    expert: Expert
    enrollments: list[tuple[str, str]]  # (program name, enrollment status)
    ratings: int
    rating_sum: int
    resolved: int
    earned: list[Money]

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.ratings if self.ratings else None

    @property
    def languages(self) -> list[str]:
        return [line.language for line in self.expert.languages]


def expert_roster(
    session: Session, principal: Principal, *, window: Window | None = None
) -> list[ExpertStats]:
    """Experts enrolled (onboarding, active or paused) in the brand's programs, by name.

    Ratings count every rating of a ticket the expert handled last, reasons beyond their
    control included; resolutions are assignments the expert ended by resolving; earnings are
    task pay net of reversals. With a ``window``, only what happened inside it counts.
    """
    rows = session.execute(
        readable_enrollments(principal)
        .join(Expert, Expert.id == Enrollment.expert_id)
        .join(Program, Program.id == Enrollment.program_id)
        .where(Enrollment.status.in_(ROSTER_STATUSES))
        .with_only_columns(Expert, Program.name, Enrollment.status)
        .order_by(Expert.display_name, Expert.id, Program.name)
    ).all()
    experts: dict[uuid.UUID, Expert] = {}
    enrollments: dict[uuid.UUID, list[tuple[str, str]]] = {}
    for expert, program_name, status in rows:
        experts[expert.id] = expert
        enrollments.setdefault(expert.id, []).append((program_name, str(status)))

    ratings_query = (
        readable_tickets(principal)
        .join(Rating, Rating.ticket_id == Ticket.id)
        .where(Rating.expert_id.in_(list(experts)))
        .with_only_columns(Rating.expert_id, func.count(), func.sum(Rating.score))
        .group_by(Rating.expert_id)
    )
    resolved_query = (
        readable_tickets(principal)
        .join(Assignment, Assignment.ticket_id == Ticket.id)
        .where(
            Assignment.expert_id.in_(list(experts)),
            Assignment.end_reason == AssignmentEnd.RESOLVED,
        )
        .with_only_columns(Assignment.expert_id, func.count())
        .group_by(Assignment.expert_id)
    )
    earned_query = (
        readable_earnings(principal)
        .where(
            Earning.expert_id.in_(list(experts)),
            Earning.kind.in_((EarningKind.TASK, EarningKind.REVERSAL)),
        )
        .with_only_columns(Earning.expert_id, Earning.currency, func.sum(Earning.amount))
        .group_by(Earning.expert_id, Earning.currency)
        .order_by(Earning.currency)
    )
    if window is not None:
        ratings_query = ratings_query.where(
            Rating.created_at >= window.since, Rating.created_at < window.until
        )
        resolved_query = resolved_query.where(
            Assignment.ended_at >= window.since, Assignment.ended_at < window.until
        )
        earned_query = earned_query.where(
            Earning.created_at >= window.since, Earning.created_at < window.until
        )
    ratings = {row[0]: (int(row[1]), int(row[2] or 0)) for row in session.execute(ratings_query)}
    resolved = {row[0]: int(row[1]) for row in session.execute(resolved_query)}
    earned: dict[uuid.UUID, list[Money]] = {}
    for expert_id, currency, total in session.execute(earned_query):
        earned.setdefault(expert_id, []).append(Money(quantize(Decimal(total or 0)), currency))
    return [
        ExpertStats(
            expert=expert,
            enrollments=enrollments[expert_id],
            ratings=ratings.get(expert_id, (0, 0))[0],
            rating_sum=ratings.get(expert_id, (0, 0))[1],
            resolved=resolved.get(expert_id, 0),
            earned=earned.get(expert_id, []),
        )
        for expert_id, expert in experts.items()
    ]
