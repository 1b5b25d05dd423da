"""The routing roster (``RoutingRoster``): what it must hold, and its periodic reconcile.

The roster holds one row per active enrollment of an available expert, language, skill and
channel with capacity, copied from the experts' tables (``roster_source``). Database triggers
created by the migrations keep it in step: every INSERT, DELETE or UPDATE of a routing input in
``experts`` (presence), ``enrollments`` (status, quality score, certification, expert and
program), ``expert_languages``, ``expert_skills`` and ``expert_capacities`` rewrites the rows of
each expert it touched, in the same statement. That covers ORM flushes, emptied collections,
deleted rows, changed key columns and bulk Core statements alike; nothing in Python has to
remember it. On PostgreSQL the trigger locks the experts' rows first, so two transactions that
change one expert rewrite its rows one after the other, the second from what the first committed.

``reconcile`` compares the stored roster with ``roster_source`` and repairs and audits any
difference (the job ``routing.reconcile_roster`` runs it every hour): a trigger dropped by hand
or by a table rebuild would show up there.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, and_, delete, except_, insert, select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import SYSTEM
from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import Enrollment, Expert, ExpertCapacity, ExpertLanguage, ExpertSkill
from gigcx.routing.models import RoutingRoster

COLUMNS = (
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
# The tables whose changes the triggers follow, with the columns routing copies or filters on.
TRACKED_TABLES = (
    "experts",
    "enrollments",
    "expert_languages",
    "expert_skills",
    "expert_capacities",
)


def roster_source(expert_ids: Iterable[uuid.UUID] | None = None) -> Select[*tuple[Any, ...]]:
    """The roster as the experts' tables define it (for all experts, or for some)."""
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


def stored_roster() -> Select[*tuple[Any, ...]]:
    """The stored roster, in the column order of ``roster_source``."""
    return select(*(getattr(RoutingRoster, name) for name in COLUMNS))


def refresh(connection: Connection, expert_ids: Iterable[uuid.UUID]) -> None:
    """Rewrite the roster rows of these experts from their tables."""
    ids = sorted(set(expert_ids))
    if not ids:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(
            select(Expert.id)
            .where(Expert.id.in_(ids))
            .order_by(Expert.id)
            .with_for_update(key_share=True)
        )
    connection.execute(delete(RoutingRoster).where(RoutingRoster.expert_id.in_(ids)))
    connection.execute(insert(RoutingRoster).from_select(COLUMNS, roster_source(ids)))


def rebuild(session: Session) -> None:
    """Rewrite the whole roster from the experts' tables."""
    connection = session.connection()
    connection.execute(delete(RoutingRoster))
    connection.execute(insert(RoutingRoster).from_select(COLUMNS, roster_source()))


@dataclass
class Drift:
    """Rows the roster lacks and rows it holds wrongly, by expert."""

    missing: dict[uuid.UUID, list[tuple[Any, ...]]] = field(default_factory=dict)
    extra: dict[uuid.UUID, list[tuple[Any, ...]]] = field(default_factory=dict)

    @property
    def expert_ids(self) -> set[uuid.UUID]:
        return set(self.missing) | set(self.extra)


def find_drift(session: Session) -> Drift:
    """Compare the stored roster with what the experts' tables say it must hold."""
    drift = Drift()
    comparisons = (
        (drift.missing, except_(roster_source(), stored_roster())),
        (drift.extra, except_(stored_roster(), roster_source())),
    )
    for found, statement in comparisons:
        for row in session.execute(statement):
            found.setdefault(_uuid(row.expert_id), []).append(tuple(row))
    return drift


def reconcile(session: Session) -> Drift:
    """Repair the roster rows of every expert whose stored rows differ, and audit each repair."""
    drift = find_drift(session)
    if not drift.expert_ids:
        return drift
    refresh(session.connection(), drift.expert_ids)
    for expert_id in sorted(drift.expert_ids):
        audit_service.record(
            session,
            actor=SYSTEM,
            action="routing.roster_repaired",
            subject_type="expert",
            subject_id=expert_id,
            brand_id=None,
            data={
                "missing_rows": [_describe(row) for row in drift.missing.get(expert_id, [])],
                "extra_rows": [_describe(row) for row in drift.extra.get(expert_id, [])],
            },
        )
    session.flush()
    return drift


def _describe(row: tuple[Any, ...]) -> dict[str, str | None]:
    return {
        name: None if value is None else str(value)
        for name, value in zip(COLUMNS, row, strict=True)
    }


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
