"""The roster each process routes from, in memory, kept fresh by the change log.

Reading who may take a ticket from the database costs a statement over every eligible expert
with two counts each; with thousands of experts online that is most of a routing decision. Each
process instead keeps, per database engine:

- for each program it has routed, the ``routing_roster`` rows grouped by language, skill and
  channel, as numpy arrays (level, proficiency, capacity, quality score, certification);
- for every expert, open assignments and pending offers per channel, and the idle clock.

Database triggers write an expert's id to ``routing_changes`` whenever any of that changes
(migration 0031). Freshness has two layers:

1. What is committed. A connection of the memory's own reads the log past its watermark and
   reads those experts again. Only committed data enters the memory, so a transaction that
   rolls back leaves nothing behind.
2. What this transaction sees. Before each decision the session reads the log past the
   watermark: entries there are this transaction's own changes or commits the memory has not
   read yet (then layer 1 runs first). The experts they name are read in the session and
   override the memory for this decision only.

A decision therefore sees what the eligibility statement (``queries.eligible_experts``) would
see in the same transaction; tests/routing/test_memory.py compares the two. The database still
confirms every claim: accepting an offer locks the ticket and checks the expert's capacity.

PostgreSQL hands out log ids before commit, so ids can become visible out of order: an id
skipped over is kept as a gap and read again until it shows up or every transaction that could
have written it has ended (``pg_snapshot_xmin``). A memory not refreshed for ten minutes starts
over, as the log keeps an hour (``trim``).
"""

import math
import threading
import time
import uuid
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, delete, func, select, text, union_all
from sqlalchemy.orm import Session

from gigcx.db.session import WRITES, is_pooled, make_engine
from gigcx.routing import scoring
from gigcx.routing.models import RoutingChange, RoutingRoster
from gigcx.tickets.enums import OfferStatus
from gigcx.tickets.models import Assignment, Offer, Ticket

START_OVER_AFTER = 600.0  # seconds without a refresh
KEEP_LOG_SECONDS = 3600
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# (level, proficiency, capacity, quality score or NaN, certified until as epoch seconds or NaN)
Row = tuple[int, int, int, float, float]
GroupKey = tuple[str, str, str]  # language, skill, channel


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _seconds(value: datetime | None) -> float:
    if value is None:
        return math.nan
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH).total_seconds()


def _idle_since(last_assigned: datetime | None, presence_changed: datetime | None) -> float:
    """The later of the last assignment and coming online (as the eligibility statement)."""
    last, online = _seconds(last_assigned), _seconds(presence_changed)
    return last if last > online else online


# ---------------------------------------------------------------------------------------------
# Reading experts


ROSTER_COLUMNS = (
    RoutingRoster.program_id,
    RoutingRoster.expert_id,
    RoutingRoster.language,
    RoutingRoster.skill,
    RoutingRoster.channel,
    RoutingRoster.level,
    RoutingRoster.proficiency,
    RoutingRoster.capacity,
    RoutingRoster.quality_score,
    RoutingRoster.certified_until,
)


def _roster_statement() -> Any:
    from gigcx.experts.models import Expert

    return select(*ROSTER_COLUMNS, Expert.last_assigned_at, Expert.presence_changed_at).join(
        Expert, Expert.id == RoutingRoster.expert_id
    )


def _load_statement() -> Any:
    working = select(Assignment.expert_id, Assignment.channel, text("1"), func.count()).where(
        Assignment.ended_at.is_(None)
    )
    pending = (
        select(Offer.expert_id, Ticket.channel, text("2"), func.count())
        .join(Ticket, Ticket.id == Offer.ticket_id)
        .where(Offer.status == OfferStatus.PENDING)
    )
    return working, pending


@dataclass
class Experts:
    """What was read of some experts: roster rows per program and key, load, idle clock."""

    ids: set[uuid.UUID]
    rows: dict[uuid.UUID, dict[uuid.UUID, dict[GroupKey, Row]]] = field(default_factory=dict)
    load: dict[tuple[uuid.UUID, str], list[int]] = field(default_factory=dict)
    idle: dict[uuid.UUID, float] = field(default_factory=dict)


def read_experts(
    connection: Connection,
    *,
    expert_ids: Sequence[uuid.UUID] | None = None,
    program_id: uuid.UUID | None = None,
    loads: bool = True,
) -> Experts:
    """Roster rows, idle clock and (with ``loads``) load of some experts, or of a program's
    roster (``program_id``), or only the load of every expert (neither)."""
    found = Experts(ids=set(expert_ids or ()))
    if expert_ids is not None or program_id is not None:
        roster = _roster_statement()
        if expert_ids is not None:
            roster = roster.where(RoutingRoster.expert_id.in_(expert_ids))
        if program_id is not None:
            roster = roster.where(RoutingRoster.program_id == program_id)
        for row in connection.execute(roster):
            expert_id = _uuid(row[1])
            quality = math.nan if row[8] is None else float(row[8])
            by_key = found.rows.setdefault(_uuid(row[0]), {}).setdefault(expert_id, {})
            by_key[(row[2], row[3], row[4])] = (row[5], row[6], row[7], quality, _seconds(row[9]))
            found.idle[expert_id] = _idle_since(row[10], row[11])
    if loads:
        working, pending = _load_statement()
        if expert_ids is not None:
            working = working.where(Assignment.expert_id.in_(expert_ids))
            pending = pending.where(Offer.expert_id.in_(expert_ids))
        statement = union_all(
            working.group_by(Assignment.expert_id, Assignment.channel),
            pending.group_by(Offer.expert_id, Ticket.channel),
        )
        for expert_id, channel, kind, count in connection.execute(statement):
            counts = found.load.setdefault((_uuid(expert_id), channel), [0, 0])
            counts[int(kind) - 1] = int(count)
    return found


# ---------------------------------------------------------------------------------------------
# The memory


class Group:
    """The experts of one program, language, skill and channel, as arrays."""

    __slots__ = (
        "capacity",
        "certified",
        "ids",
        "level",
        "order",
        "proficiency",
        "quality",
        "slots",
    )

    def __init__(self, members: dict[uuid.UUID, Row], slot_of: dict[uuid.UUID, int]) -> None:
        ids = sorted(members, key=lambda expert_id: expert_id.int)
        self.ids = ids
        self.slots = np.fromiter((slot_of[i] for i in ids), dtype=np.int64, count=len(ids))
        rows = [members[i] for i in ids]
        self.level = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(ids))
        self.proficiency = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(ids))
        self.capacity = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(ids))
        self.quality = np.fromiter((r[3] for r in rows), dtype=np.float64, count=len(ids))
        self.certified = np.fromiter((r[4] for r in rows), dtype=np.float64, count=len(ids))
        # Members are sorted by id: their position is the id order ties fall back on.
        self.order = np.arange(len(ids), dtype=np.int64)


class ProgramRoster:
    """One program's roster rows, by key; groups are rebuilt when their rows change."""

    def __init__(self) -> None:
        self.members: dict[GroupKey, dict[uuid.UUID, Row]] = {}
        self.keys_of: dict[uuid.UUID, set[GroupKey]] = {}
        self.groups: dict[GroupKey, Group] = {}

    def replace(self, expert_id: uuid.UUID, rows: dict[GroupKey, Row]) -> None:
        """Set an expert's rows in this program (none: the expert left its roster)."""
        before = self.keys_of.get(expert_id, set())
        for key in before - rows.keys():
            self.members[key].pop(expert_id, None)
            self.groups.pop(key, None)
        for key, row in rows.items():
            members = self.members.setdefault(key, {})
            if members.get(expert_id) != row:
                members[expert_id] = row
                self.groups.pop(key, None)
        if rows:
            self.keys_of[expert_id] = set(rows)
        else:
            self.keys_of.pop(expert_id, None)

    def group(self, key: GroupKey, slot_of: dict[uuid.UUID, int]) -> Group:
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(self.members.get(key, {}), slot_of)
        return group


class Memory:
    """The roster of one database, in this process."""

    def __init__(self, engine: Engine) -> None:
        self.lock = threading.Lock()
        self.dialect = engine.dialect.name
        url = engine.url.render_as_string(hide_password=False)
        # A connection of its own: it reads only what is committed.
        self.reader = make_engine(url, pool_size=1, pooled=is_pooled(engine))
        self.channels: dict[str, int] = {}
        self.slot_of: dict[uuid.UUID, int] = {}
        self.idle = np.zeros(1024)
        self.working = np.zeros((1024, 4), dtype=np.int64)
        self.pending = np.zeros((1024, 4), dtype=np.int64)
        self._reset()

    def _reset(self) -> None:
        self.programs: dict[uuid.UUID, ProgramRoster] = {}
        self.watermark = -1  # nothing read yet
        self.gaps: dict[int, int] = {}  # log id -> transaction id bound when first missed
        self.applied: set[int] = set()  # ids read past a gap, not to be read twice
        self.refreshed = 0.0
        self.working[:] = 0
        self.pending[:] = 0
        self.idle[:] = 0.0

    def close(self) -> None:
        self.reader.dispose()

    # -- slots -----------------------------------------------------------------------------

    def slot(self, expert_id: uuid.UUID) -> int:
        slot = self.slot_of.get(expert_id)
        if slot is None:
            slot = self.slot_of[expert_id] = len(self.slot_of)
            if slot >= len(self.idle):
                size = len(self.idle) * 2
                idle = np.zeros(size)
                idle[: len(self.idle)] = self.idle
                self.idle = idle
                self.working = _grow(self.working, size)
                self.pending = _grow(self.pending, size)
        return slot

    def channel(self, name: str) -> int:
        index = self.channels.get(name)
        if index is None:
            index = self.channels[name] = len(self.channels)
            if index >= self.working.shape[1]:
                self.working = np.pad(self.working, ((0, 0), (0, 4)))
                self.pending = np.pad(self.pending, ((0, 0), (0, 4)))
        return index

    # -- applying what was read --------------------------------------------------------------

    def apply(self, found: Experts, program_ids: Iterable[uuid.UUID] | None = None) -> None:
        """Store what was read: rows of the loaded programs, loads and idle clocks."""
        for expert_id in found.ids:
            slot = self.slot(expert_id)
            self.working[slot, :] = 0
            self.pending[slot, :] = 0
            if expert_id in found.idle:
                self.idle[slot] = found.idle[expert_id]
        for (expert_id, channel), (working, pending) in found.load.items():
            slot, index = self.slot(expert_id), self.channel(channel)
            self.working[slot, index] = working
            self.pending[slot, index] = pending
        programs = self.programs if program_ids is None else program_ids
        for program_id in programs:
            roster = self.programs.get(program_id)
            if roster is None:
                continue
            rows = found.rows.get(program_id, {})
            for expert_id in found.ids:
                roster.replace(expert_id, rows.get(expert_id, {}))

    # -- layer 1: what is committed ----------------------------------------------------------

    def refresh(self) -> None:
        """Read what was committed since the watermark (everything, the first time)."""
        with self.reader.connect() as connection:
            connection = connection.execution_options(**{WRITES: False})
            if self.watermark < 0 or time.monotonic() - self.refreshed > START_OVER_AFTER:
                self._start_over(connection)
            else:
                self._read_changes(connection)
            connection.rollback()
        self.refreshed = time.monotonic()

    def _start_over(self, connection: Connection) -> None:
        programs = list(self.programs)
        self._reset()
        latest = connection.scalar(select(func.max(RoutingChange.id)))
        self.watermark = int(latest or 0)
        self.apply(read_experts(connection))  # the load of every expert
        for program_id in programs:
            self.load_program(connection, program_id)

    def load_program(self, connection: Connection, program_id: uuid.UUID) -> None:
        """Read one program's roster (loads are kept for every expert already)."""
        self.programs[program_id] = ProgramRoster()
        found = read_experts(connection, program_id=program_id, loads=False)
        for expert_id, idle in found.idle.items():
            slot = self.slot(expert_id)
            self.idle[slot] = idle
        roster = self.programs[program_id]
        for expert_id, rows in found.rows.get(program_id, {}).items():
            self.slot(expert_id)
            roster.replace(expert_id, rows)

    def _read_changes(self, connection: Connection) -> None:
        bound = self._gap_bound(connection) if self.gaps else None
        rows = connection.execute(self.changes_statement()).all()
        changed: set[uuid.UUID] = set()
        for change_id, expert_id in rows:
            if change_id in self.applied:
                continue
            changed.add(_uuid(expert_id))
            if change_id in self.gaps:
                del self.gaps[change_id]
                self.applied.add(change_id)
            elif change_id > self.watermark:
                if change_id > self.watermark + 1 and self.watermark >= 0:
                    missed = self._next_transaction(connection)
                    for gap in range(self.watermark + 1, change_id):
                        self.gaps.setdefault(gap, missed)
                self.watermark = change_id
        if bound is not None:
            # Every transaction that could have written these ids has ended: none will come.
            for gap, missed in list(self.gaps.items()):
                if missed <= bound:
                    del self.gaps[gap]
        lowest = min(self.gaps, default=self.watermark)
        self.applied = {i for i in self.applied if i > lowest}
        if changed:
            self.apply(read_experts(connection, expert_ids=sorted(changed, key=str)))

    def _gap_bound(self, connection: Connection) -> int | None:
        if self.dialect != "postgresql":
            return 1 << 62  # SQLite commits in id order: a gap is a rollback
        value = connection.scalar(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text"))
        return int(value)

    def _next_transaction(self, connection: Connection) -> int:
        if self.dialect != "postgresql":
            return 0
        value = connection.scalar(text("SELECT pg_snapshot_xmax(pg_current_snapshot())::text"))
        return int(value)

    def changes_statement(self) -> Any:
        statement = select(RoutingChange.id, RoutingChange.expert_id).order_by(RoutingChange.id)
        if self.gaps:
            return statement.where(
                (RoutingChange.id > self.watermark) | RoutingChange.id.in_(sorted(self.gaps))
            )
        return statement.where(RoutingChange.id > self.watermark)

    # -- layer 2: what this transaction sees ---------------------------------------------

    def unread(self, connection: Connection) -> set[uuid.UUID]:
        """Experts with log entries this transaction sees and the memory has not read."""
        rows = connection.execute(self.changes_statement()).all()
        return {_uuid(expert_id) for change_id, expert_id in rows if change_id not in self.applied}


def _grow(array: np.ndarray, size: int) -> np.ndarray:
    grown = np.zeros((size, array.shape[1]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


_memories: "weakref.WeakKeyDictionary[Engine, Memory]" = weakref.WeakKeyDictionary()
_memories_lock = threading.Lock()


def memory_for(engine: Engine) -> Memory:
    with _memories_lock:
        memory = _memories.get(engine)
        if memory is None:
            memory = _memories[engine] = Memory(engine)
            weakref.finalize(engine, memory.close)
        return memory


def forget(engine: Engine) -> None:
    """Drop this process's memory of a database (after it was emptied or rebuilt by hand)."""
    with _memories_lock:
        memory = _memories.pop(engine, None)
    if memory is not None:
        memory.close()


def trim(session: Session) -> int:
    """Delete log entries older than an hour; return how many."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        cutoff: Any = func.now() - text(f"interval '{KEEP_LOG_SECONDS} seconds'")
    else:
        cutoff = func.datetime("now", f"-{KEEP_LOG_SECONDS} seconds")
    result = connection.execute(delete(RoutingChange).where(RoutingChange.changed_at < cutoff))
    return int(result.rowcount or 0)


# ---------------------------------------------------------------------------------------------
# Decisions


@dataclass
class Pool:
    """Eligible experts for one ticket, with what the score needs, as arrays."""

    ids: list[uuid.UUID]
    level: np.ndarray
    proficiency: np.ndarray
    capacity: np.ndarray
    quality: np.ndarray
    working: np.ndarray
    pending: np.ndarray
    idle: np.ndarray
    order: np.ndarray  # position in id order, for ties

    def __len__(self) -> int:
        return len(self.ids)

    def expert_ids(self) -> list[uuid.UUID]:
        return list(self.ids)

    def take(self, keep: np.ndarray) -> "Pool":
        """The experts where ``keep`` (a boolean mask or positions) selects them."""
        positions = np.flatnonzero(keep) if keep.dtype == bool else keep
        return Pool(
            ids=[self.ids[i] for i in positions],
            level=self.level[positions],
            proficiency=self.proficiency[positions],
            capacity=self.capacity[positions],
            quality=self.quality[positions],
            working=self.working[positions],
            pending=self.pending[positions],
            idle=self.idle[positions],
            order=self.order[positions],
        )

    def without(self, expert_ids: Iterable[uuid.UUID]) -> "Pool":
        dropped = set(expert_ids)
        if not dropped:
            return self
        return self.take(np.array([i not in dropped for i in self.ids], dtype=bool))

    def free(self) -> "Pool":
        """Those with room on the ticket's channel."""
        return self.take(self.working + self.pending < self.capacity)

    def candidate(self, position: int) -> scoring.Candidate:
        quality = float(self.quality[position])
        return scoring.Candidate(
            expert_id=self.ids[position],
            skill_level=int(self.level[position]),
            proficiency=int(self.proficiency[position]),
            quality_score=None if math.isnan(quality) else quality,
            capacity=int(self.capacity[position]),
            working=int(self.working[position]),
            pending=int(self.pending[position]),
            idle_since=datetime.fromtimestamp(float(self.idle[position]), UTC),
        )

    def candidates(self) -> list[scoring.Candidate]:
        return [self.candidate(i) for i in range(len(self))]

    def ranked(
        self,
        weights: dict[str, float],
        now: datetime,
        *,
        first: int | None = None,
        include: uuid.UUID | None = None,
    ) -> list[scoring.Scored]:
        """Scored best first, as ``scoring.rank``: all, or the ``first`` best (and ``include``,
        wherever it ranks, after them)."""
        if not self.ids:
            return []
        values = self._terms(now)
        weight_values = np.array([weights.get(t, 0.0) for t in scoring.TERMS])
        total = weight_values.sum() or 1.0
        scores = np.round(weight_values @ values / total, 6)
        # Best score first, then the longer idle, then the id order (as scoring.rank).
        ordered = np.lexsort((self.order, self.idle, -scores))
        positions = list(ordered if first is None else ordered[:first])
        if include is not None and include in self.ids:
            where = self.ids.index(include)
            if where not in positions:
                positions.append(where)
        # The offers store the exact score of each one chosen, as scoring computes it.
        return [scoring.score(self.candidate(i), weights, now) for i in positions]

    def _terms(self, now: datetime) -> np.ndarray:
        """The terms in the order of scoring.TERMS, one column per expert."""
        idle_minutes = np.maximum((_seconds(now) - self.idle) / 60.0, 0.0)
        quality = np.where(np.isnan(self.quality), scoring.QUALITY_PRIOR, self.quality)
        busy = self.working + self.pending
        with np.errstate(divide="ignore", invalid="ignore"):
            load = np.where(self.capacity > 0, np.maximum(1.0 - busy / self.capacity, 0.0), 0.0)
        return np.vstack(
            (
                self.level / 5.0,
                self.proficiency / 5.0,
                np.clip(quality / 100.0, 0.0, 1.0),
                np.minimum(idle_minutes / scoring.IDLE_FULL_MINUTES, 1.0),
                load,
            )
        )


def _excluded(connection: Connection, ticket: Ticket) -> set[uuid.UUID]:
    from gigcx.routing.queries import EXCLUDING_OFFER_STATUSES

    if not ticket.offer_count:
        return set()
    rows = connection.execute(
        select(Offer.expert_id).where(
            Offer.ticket_id == ticket.id, Offer.status.in_(EXCLUDING_OFFER_STATUSES)
        )
    )
    return {_uuid(expert_id) for (expert_id,) in rows}


def pool(
    session: Session, ticket: Ticket, *, required_level: int, certified_at: datetime | None
) -> Pool:
    """Every expert eligible for the ticket now, as the session's transaction sees them."""
    connection = session.connection()
    memory = memory_for(connection.engine)
    key: GroupKey = (ticket.language, ticket.category or "", ticket.channel)
    with memory.lock:
        if memory.watermark < 0 or time.monotonic() - memory.refreshed > START_OVER_AFTER:
            memory.refresh()
        unread = memory.unread(connection)
        if unread:
            memory.refresh()  # commits first; what is left is this transaction's own
            unread = memory.unread(connection)
        program_id = ticket.program_id
        if program_id not in memory.programs:
            with memory.reader.connect() as reader:
                reader = reader.execution_options(**{WRITES: False})
                memory.load_program(reader, program_id)
                reader.rollback()
        group = memory.programs[program_id].group(key, memory.slot_of)
        channel = memory.channel(ticket.channel)
        chosen = _select(group, group.level >= required_level, certified_at, unread)
        found = _snapshot(memory, group, chosen, channel)
    if unread:
        found = _with_overlay(connection, found, ticket, key, required_level, certified_at, unread)
    return found.without(_excluded(connection, ticket))


def _select(
    group: Group, eligible: np.ndarray, certified_at: datetime | None, unread: set[uuid.UUID]
) -> np.ndarray:
    if certified_at is not None:
        with np.errstate(invalid="ignore"):
            eligible &= group.certified > _seconds(certified_at)
    if unread:
        eligible &= np.array([i not in unread for i in group.ids], dtype=bool)
    return np.flatnonzero(eligible)


def _snapshot(memory: Memory, group: Group, positions: np.ndarray, channel: int) -> Pool:
    slots = group.slots[positions]
    return Pool(
        ids=[group.ids[i] for i in positions],
        level=group.level[positions],
        proficiency=group.proficiency[positions],
        capacity=group.capacity[positions],
        quality=group.quality[positions],
        working=memory.working[slots, channel].copy(),
        pending=memory.pending[slots, channel].copy(),
        idle=memory.idle[slots].copy(),
        order=group.order[positions],
    )


def _with_overlay(
    connection: Connection,
    found: Pool,
    ticket: Ticket,
    key: GroupKey,
    required_level: int,
    certified_at: datetime | None,
    unread: set[uuid.UUID],
) -> Pool:
    """Add the experts changed in ways the memory has not read, as this transaction sees them."""
    fresh = read_experts(connection, expert_ids=sorted(unread, key=str))
    rows = fresh.rows.get(ticket.program_id, {})
    extra: list[tuple[uuid.UUID, Row]] = []
    for expert_id, by_key in rows.items():
        row = by_key.get(key)
        if row is None or row[0] < required_level:
            continue
        if certified_at is not None and not row[4] > _seconds(certified_at):
            continue
        extra.append((expert_id, row))
    if not extra:
        return found
    ids = found.ids + [expert_id for expert_id, _ in extra]
    loads = [fresh.load.get((expert_id, ticket.channel), [0, 0]) for expert_id, _ in extra]
    merged = Pool(
        ids=ids,
        level=np.concatenate((found.level, [row[0] for _, row in extra])).astype(np.int64),
        proficiency=np.concatenate((found.proficiency, [r[1] for _, r in extra])).astype(np.int64),
        capacity=np.concatenate((found.capacity, [row[2] for _, row in extra])).astype(np.int64),
        quality=np.concatenate((found.quality, [row[3] for _, row in extra])),
        working=np.concatenate((found.working, [load[0] for load in loads])).astype(np.int64),
        pending=np.concatenate((found.pending, [load[1] for load in loads])).astype(np.int64),
        idle=np.concatenate((found.idle, [fresh.idle[expert_id] for expert_id, _ in extra])),
        order=np.zeros(len(ids), dtype=np.int64),
    )
    # Ties fall back on the id order: recompute it over the merged experts.
    merged.order[np.argsort([expert_id.int for expert_id in ids], kind="stable")] = np.arange(
        len(ids)
    )
    return merged
