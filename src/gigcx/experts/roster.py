"""Keep the routing roster (``RoutingRoster``) in step with the tables it copies.

After every flush, the roster rows of each expert whose routing inputs changed are deleted and
written again from the normalized tables, in the same transaction: presence, enrollments (status,
quality score, certification), languages, skills and capacities. Every ORM write is covered,
whichever service (or test, or seed) makes it. Bulk Core writes to those tables must call
``refresh`` or ``rebuild`` themselves.

On PostgreSQL the expert rows are locked first, so two transactions that change the same expert
rewrite its rows one after the other, each from what is committed plus its own changes.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Select, and_, delete, event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import (
    Enrollment,
    Expert,
    ExpertCapacity,
    ExpertLanguage,
    ExpertSkill,
    RoutingRoster,
)

_COLUMNS = (
    "program_id",
    "expert_id",
    "language",
    "skill",
    "channel",
    "level",
    "proficiency",
    "capacity",
    "quality_score",
    "certified_until",
)
# Attributes of changed rows that the roster copies or filters on.
_WATCHED: dict[type, tuple[str, ...]] = {
    Expert: ("presence",),
    Enrollment: ("status", "quality_score", "certified_until", "program_id", "expert_id"),
    ExpertLanguage: ("proficiency",),
    ExpertSkill: ("level",),
    ExpertCapacity: ("max_concurrent",),
}


def roster_source(expert_ids: Iterable[uuid.UUID] | None = None) -> Select[*tuple[Any, ...]]:
    """The roster as the normalized tables define it (for all experts, or for some)."""
    statement = (
        select(
            Enrollment.program_id,
            Enrollment.expert_id,
            ExpertLanguage.language,
            ExpertSkill.skill,
            ExpertCapacity.channel,
            ExpertSkill.level,
            ExpertLanguage.proficiency,
            ExpertCapacity.max_concurrent,
            Enrollment.quality_score,
            Enrollment.certified_until,
        )
        .select_from(Enrollment)
        .join(Expert, Expert.id == Enrollment.expert_id)
        .join(ExpertLanguage, ExpertLanguage.expert_id == Enrollment.expert_id)
        .join(ExpertSkill, ExpertSkill.expert_id == Enrollment.expert_id)
        .join(
            ExpertCapacity,
            and_(
                ExpertCapacity.expert_id == Enrollment.expert_id,
                ExpertCapacity.max_concurrent > 0,
            ),
        )
        .where(
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Expert.presence == Presence.AVAILABLE,
        )
    )
    if expert_ids is not None:
        statement = statement.where(Enrollment.expert_id.in_(list(expert_ids)))
    return statement


def refresh(connection: Connection, expert_ids: Iterable[uuid.UUID]) -> None:
    """Rewrite the roster rows of these experts from the normalized tables."""
    ids = sorted(set(expert_ids))
    if not ids:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(
            select(Expert.id).where(Expert.id.in_(ids)).order_by(Expert.id).with_for_update()
        )
    connection.execute(delete(RoutingRoster).where(RoutingRoster.expert_id.in_(ids)))
    connection.execute(insert(RoutingRoster).from_select(_COLUMNS, roster_source(ids)))


def rebuild(session: Session) -> None:
    """Rewrite the whole roster (after bulk loads that bypass the ORM)."""
    connection = session.connection()
    connection.execute(delete(RoutingRoster))
    connection.execute(insert(RoutingRoster).from_select(_COLUMNS, roster_source()))


def _expert_id(instance: object, *, deleted: bool) -> uuid.UUID | None:
    if isinstance(instance, Expert):
        return instance.id
    if deleted:
        # A deleted row's attributes may be expired; its identity still names the expert
        # (the primary key of languages, skills and capacities starts with expert_id).
        if isinstance(instance, Enrollment):
            value = inspect(instance).dict.get("expert_id")
            return value if isinstance(value, uuid.UUID) else None
        identity = inspect(instance).identity
        return identity[0] if identity else None
    value = getattr(instance, "expert_id", None)
    return value if isinstance(value, uuid.UUID) else None


def _changed(instance: object, attributes: tuple[str, ...]) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in attributes)


def _touched_experts(session: Session) -> set[uuid.UUID]:
    touched: set[uuid.UUID] = set()
    for instances, deleted in ((session.new, False), (session.deleted, True)):
        for instance in instances:
            if type(instance) in _WATCHED:
                expert_id = _expert_id(instance, deleted=deleted)
                if expert_id is not None:
                    touched.add(expert_id)
    for instance in session.dirty:
        watched = _WATCHED.get(type(instance))
        if watched and _changed(instance, watched):
            expert_id = _expert_id(instance, deleted=False)
            if expert_id is not None:
                touched.add(expert_id)
            if isinstance(instance, Enrollment):
                before = inspect(instance).attrs.expert_id.history.deleted
                touched.update(v for v in before if isinstance(v, uuid.UUID))
    return touched


@event.listens_for(Session, "after_flush")
def _keep_roster_in_step(session: Session, _context: UOWTransaction) -> None:
    touched = _touched_experts(session)
    if touched:
        refresh(session.connection(), touched)
