"""Reading experts for the in-memory roster: roster rows, idle clocks, load."""

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, literal, select, text, union_all

from gigcx.routing import roster
from gigcx.routing.models import RoutingRoster
from gigcx.tickets.enums import OfferStatus
from gigcx.tickets.models import Assignment, Offer, Ticket

START_OVER_AFTER = 600.0  # seconds without a refresh
KEEP_LOG_SECONDS = 3600
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# (level, proficiency, capacity, quality score or NaN, certified until as epoch seconds or NaN)
Row = tuple[int, int, int, float, float]
GroupKey = tuple[str, str, str]  # language, skill, channel


def uuid_of(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def object_array(values: Sequence[object]) -> np.ndarray:
    """A one-dimensional array of Python objects (numpy would make UUIDs a 2-D array)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def seconds(value: datetime | None) -> float:
    if value is None:
        return math.nan
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH).total_seconds()


def _idle_since(last_assigned: datetime | None, presence_changed: datetime | None) -> float:
    """The later of the last assignment and coming online (as the eligibility statement)."""
    last, online = seconds(last_assigned), seconds(presence_changed)
    return last if last > online else online


# ---------------------------------------------------------------------------------------------
# Reading experts


def _roster_statement() -> Any:
    """The stored roster rows (in ``roster.COLUMNS`` order), with each expert's idle clock."""
    from gigcx.experts.models import Expert

    return (
        roster.stored_roster()
        .add_columns(Expert.last_assigned_at, Expert.presence_changed_at)
        .join(Expert, Expert.id == RoutingRoster.expert_id)
    )


def _load_statement() -> Any:
    working = select(Assignment.expert_id, Assignment.channel, text("1"), func.count()).where(
        Assignment.ended_at.is_(None)
    )
    pending = (
        select(Offer.expert_id, Ticket.channel, text("2"), func.count())
        .join(Ticket, Ticket.id == Offer.ticket_id)
        # Written into the SQL, not bound: the pending-offer index is partial on that status.
        .where(Offer.status == literal(OfferStatus.PENDING.value, literal_execute=True))
    )
    return working, pending


@dataclass
class Experts:
    """What was read of some experts: roster rows per program and key with the idle clock (of
    ``roster_ids``), and load per channel (of ``load_ids``)."""

    roster_ids: set[uuid.UUID] = field(default_factory=set)
    load_ids: set[uuid.UUID] = field(default_factory=set)
    rows: dict[uuid.UUID, dict[uuid.UUID, dict[GroupKey, Row]]] = field(default_factory=dict)
    load: dict[tuple[uuid.UUID, str], list[int]] = field(default_factory=dict)
    idle: dict[uuid.UUID, float] = field(default_factory=dict)


def read_roster(
    connection: Connection,
    found: Experts,
    *,
    expert_ids: Sequence[uuid.UUID] | None = None,
    program_id: uuid.UUID | None = None,
) -> None:
    """Roster rows and idle clocks of some experts, or of a program's roster, into ``found``."""
    roster = _roster_statement()
    if expert_ids is not None:
        roster = roster.where(RoutingRoster.expert_id.in_(expert_ids))
        found.roster_ids.update(expert_ids)
    if program_id is not None:
        roster = roster.where(RoutingRoster.program_id == program_id)
    for row in connection.execute(roster):
        expert_id = uuid_of(row[1])
        quality = math.nan if row[8] is None else float(row[8])
        by_key = found.rows.setdefault(uuid_of(row[0]), {}).setdefault(expert_id, {})
        by_key[(row[2], row[3], row[4])] = (row[5], row[6], row[7], quality, seconds(row[9]))
        found.idle[expert_id] = _idle_since(row[10], row[11])


def read_load(
    connection: Connection, found: Experts, *, expert_ids: Sequence[uuid.UUID] | None = None
) -> None:
    """Open assignments and pending offers per channel of some experts (or of all)."""
    working, pending = _load_statement()
    if expert_ids is not None:
        working = working.where(Assignment.expert_id.in_(expert_ids))
        pending = pending.where(Offer.expert_id.in_(expert_ids))
        found.load_ids.update(expert_ids)
    statement = union_all(
        working.group_by(Assignment.expert_id, Assignment.channel),
        pending.group_by(Offer.expert_id, Ticket.channel),
    )
    for expert_id, channel, kind, count in connection.execute(statement):
        counts = found.load.setdefault((uuid_of(expert_id), channel), [0, 0])
        counts[int(kind) - 1] = int(count)


def read_experts(
    connection: Connection,
    *,
    roster_ids: Sequence[uuid.UUID] = (),
    load_ids: Sequence[uuid.UUID] = (),
) -> Experts:
    """Read the roster rows of ``roster_ids`` and the load of ``load_ids``."""
    found = Experts()
    if roster_ids:
        read_roster(connection, found, expert_ids=roster_ids)
    if load_ids:
        read_load(connection, found, expert_ids=load_ids)
    return found
