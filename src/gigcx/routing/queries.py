"""The eligibility query: who may be offered a ticket right now."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, bindparam, case, func, literal, select
from sqlalchemy.orm import Session

from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, Expert, ExpertCapacity, ExpertLanguage, ExpertSkill
from gigcx.kit import clock
from gigcx.routing.models import RoutingRoster
from gigcx.routing.scoring import Candidate
from gigcx.tickets.enums import OfferStatus
from gigcx.tickets.models import Assignment, Offer, Ticket

# An expert who declined or let an offer lapse is not asked again about the same ticket.
EXCLUDING_OFFER_STATUSES = (OfferStatus.DECLINED, OfferStatus.EXPIRED, OfferStatus.PENDING)


def constant(value: str) -> Any:
    """A fixed status written into the SQL, not bound: PostgreSQL's generic plans for prepared
    statements cannot use partial indexes (``WHERE status = 'pending'``) behind a parameter."""
    return literal(value, literal_execute=True)


def _eligibility_statement(*, certified: bool) -> Select[*tuple[Any, ...]]:
    """The eligibility statement with the ticket's values as bound parameters.

    Built once per shape (with or without the certification condition) at import: building a
    select is costly next to running it, and the statement is the same for every ticket.
    Parameters: ``program_id``, ``ticket_id``, ``language``, ``skill``, ``required_level``,
    ``channel`` and, when certified, ``certified_at``.
    """
    roster = RoutingRoster
    channel = bindparam("channel", type_=Assignment.channel.type)
    working = (
        select(func.count())
        .where(
            Assignment.expert_id == roster.expert_id,
            Assignment.channel == channel,
            Assignment.ended_at.is_(None),
        )
        .correlate(roster)
        .scalar_subquery()
    )
    # A pending offer holds a seat on the channel of its ticket, not on the others.
    pending = (
        select(func.count())
        .select_from(Offer)
        .join(Ticket, Ticket.id == Offer.ticket_id)
        .where(
            Offer.expert_id == roster.expert_id,
            Offer.status == constant(OfferStatus.PENDING),
            Ticket.channel == channel,
        )
        .correlate(roster)
        .scalar_subquery()
    )
    already_offered = select(Offer.expert_id).where(
        Offer.ticket_id == bindparam("ticket_id", type_=Offer.ticket_id.type),
        Offer.status.in_(EXCLUDING_OFFER_STATUSES),
    )
    # Idle since the later of the last assignment and coming online (a NULL compares false),
    # read per candidate: a join lets PostgreSQL hash every available expert instead.
    idle_since = (
        select(
            case(
                (Expert.last_assigned_at > Expert.presence_changed_at, Expert.last_assigned_at),
                else_=Expert.presence_changed_at,
            )
        )
        .where(Expert.id == roster.expert_id)
        .correlate(roster)
        .scalar_subquery()
    )
    statement = (
        select(
            roster.expert_id,
            roster.level,
            roster.proficiency,
            roster.quality_score,
            roster.capacity,
            working,
            pending,
            idle_since,
        )
        .select_from(roster)
        .where(
            roster.program_id == bindparam("program_id", type_=roster.program_id.type),
            roster.language == bindparam("language", type_=String()),
            roster.skill == bindparam("skill", type_=String()),
            roster.channel == channel,
            roster.level >= bindparam("required_level", type_=roster.level.type),
            roster.expert_id.not_in(already_offered),
        )
    )
    if certified:
        certified_at = bindparam("certified_at", type_=roster.certified_until.type)
        statement = statement.where(roster.certified_until > certified_at)
    return statement


_ELIGIBLE = {certified: _eligibility_statement(certified=certified) for certified in (False, True)}


def _parameters(
    ticket: Ticket, required_level: int, certified_at: datetime | None
) -> dict[str, Any]:
    parameters: dict[str, Any] = {
        "program_id": ticket.program_id,
        "ticket_id": ticket.id,
        "language": ticket.language,
        "skill": ticket.category,
        "required_level": required_level,
        "channel": ticket.channel,
    }
    if certified_at is not None:
        parameters["certified_at"] = certified_at
    return parameters


def eligible_experts(
    ticket: Ticket, *, required_level: int, certified_at: datetime | None = None
) -> Select[*tuple[Any, ...]]:
    """Experts eligible for the ticket: active enrollment, available, language, skill, channel.

    They are read from the routing roster (gigcx.routing.roster), which holds a row for each
    active enrollment of an available expert, language, skill and channel with capacity.

    With ``certified_at`` (programs that require certification) the enrollment must also hold a
    certification that is current at that moment. The statement carries the ticket's values.
    """
    statement = _ELIGIBLE[certified_at is not None]
    return statement.params(_parameters(ticket, required_level, certified_at))


def find_candidates(session: Session, ticket: Ticket, *, required_level: int) -> list[Candidate]:
    """Return every eligible expert with the inputs the score needs."""
    certified_at = clock.now() if ticket.program.requires_certification else None
    statement = _ELIGIBLE[certified_at is not None]
    parameters = _parameters(ticket, required_level, certified_at)
    # Core rows on the session's connection: no ORM result machinery for plain columns.
    rows = session.connection().execute(statement, parameters).all()
    return [
        Candidate(
            expert_id=_uuid(expert_id),
            skill_level=level,
            proficiency=proficiency,
            quality_score=None if quality is None else float(quality),
            capacity=capacity,
            working=working,
            pending=pending,
            idle_since=idle_since,
        )
        for expert_id, level, proficiency, quality, capacity, working, pending, idle_since in rows
    ]


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def count_enrolled_matches(session: Session, ticket: Ticket, *, required_level: int) -> int:
    """Experts actively enrolled who could take the ticket if they were online and had room:
    its language, the category's skill level and capacity on its channel."""
    statement = (
        select(func.count(func.distinct(Enrollment.expert_id)))
        .join(ExpertLanguage, ExpertLanguage.expert_id == Enrollment.expert_id)
        .join(ExpertSkill, ExpertSkill.expert_id == Enrollment.expert_id)
        .join(ExpertCapacity, ExpertCapacity.expert_id == Enrollment.expert_id)
        .where(
            Enrollment.program_id == ticket.program_id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
            ExpertLanguage.language == ticket.language,
            ExpertSkill.skill == ticket.category,
            ExpertSkill.level >= required_level,
            ExpertCapacity.channel == ticket.channel,
            ExpertCapacity.max_concurrent > 0,
        )
    )
    return int(session.scalar(statement) or 0)


def count_excluded(session: Session, ticket: Ticket) -> int:
    """Experts who declined the ticket or let its offer lapse: it is not offered to them again."""
    statement = select(func.count(func.distinct(Offer.expert_id))).where(
        Offer.ticket_id == ticket.id,
        Offer.status.in_([OfferStatus.DECLINED, OfferStatus.EXPIRED]),
    )
    return int(session.scalar(statement) or 0)
