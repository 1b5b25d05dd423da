"""The eligibility query: who may be offered a ticket right now."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, literal, select
from sqlalchemy.orm import Session

from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import Enrollment, Expert, ExpertCapacity, ExpertLanguage, ExpertSkill
from gigcx.kit import clock
from gigcx.routing.scoring import Candidate
from gigcx.tickets.enums import OfferStatus
from gigcx.tickets.models import Assignment, Offer, Ticket

# An expert who declined or let an offer lapse is not asked again about the same ticket.
EXCLUDING_OFFER_STATUSES = (OfferStatus.DECLINED, OfferStatus.EXPIRED, OfferStatus.PENDING)


def constant(value: str) -> Any:
    """A fixed status written into the SQL, not bound: PostgreSQL's generic plans for prepared
    statements cannot use partial indexes (``WHERE status = 'pending'``) behind a parameter."""
    return literal(value, literal_execute=True)


def eligible_experts(
    ticket: Ticket, *, required_level: int, certified_at: datetime | None = None
) -> Select[*tuple[Any, ...]]:
    """Experts eligible for the ticket: active enrollment, available, language, skill, channel.

    With ``certified_at`` (programs that require certification) the enrollment must also hold a
    certification that is current at that moment.
    """
    working = (
        select(func.count())
        .where(
            Assignment.expert_id == Expert.id,
            Assignment.channel == ticket.channel,
            Assignment.ended_at.is_(None),
        )
        .correlate(Expert)
        .scalar_subquery()
    )
    pending = (
        select(func.count())
        .where(Offer.expert_id == Expert.id, Offer.status == constant(OfferStatus.PENDING))
        .correlate(Expert)
        .scalar_subquery()
    )
    already_offered = select(Offer.expert_id).where(
        Offer.ticket_id == ticket.id, Offer.status.in_(EXCLUDING_OFFER_STATUSES)
    )
    statement = (
        select(
            Expert.id,
            ExpertSkill.level,
            ExpertLanguage.proficiency,
            Enrollment.quality_score,
            ExpertCapacity.max_concurrent,
            working,
            pending,
            Expert.last_assigned_at,
            Expert.presence_changed_at,
        )
        .select_from(Enrollment)
        .join(Expert, Expert.id == Enrollment.expert_id)
        .join(
            ExpertLanguage,
            and_(ExpertLanguage.expert_id == Expert.id, ExpertLanguage.language == ticket.language),
        )
        .join(
            ExpertSkill,
            and_(
                ExpertSkill.expert_id == Expert.id,
                ExpertSkill.skill == ticket.category,
                ExpertSkill.level >= required_level,
            ),
        )
        .join(
            ExpertCapacity,
            and_(
                ExpertCapacity.expert_id == Expert.id,
                ExpertCapacity.channel == ticket.channel,
                ExpertCapacity.max_concurrent > 0,
            ),
        )
        .where(
            Enrollment.program_id == ticket.program_id,
            Enrollment.status == constant(EnrollmentStatus.ACTIVE),
            Expert.presence == constant(Presence.AVAILABLE),
            Expert.id.not_in(already_offered),
        )
    )
    if certified_at is not None:
        statement = statement.where(Enrollment.certified_until > certified_at)
    return statement


def find_candidates(session: Session, ticket: Ticket, *, required_level: int) -> list[Candidate]:
    """Return every eligible expert with the inputs the score needs."""
    certified_at = clock.now() if ticket.program.requires_certification else None
    statement = eligible_experts(ticket, required_level=required_level, certified_at=certified_at)
    rows = session.execute(statement).all()
    return [
        Candidate(
            expert_id=_uuid(row[0]),
            skill_level=row[1],
            proficiency=row[2],
            quality_score=None if row[3] is None else float(row[3]),
            capacity=row[4],
            working=row[5],
            pending=row[6],
            idle_since=max(row[7], row[8]) if row[7] is not None else row[8],
        )
        for row in rows
    ]


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
