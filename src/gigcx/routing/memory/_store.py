"""The memory of one database in this process, and how it is kept fresh (layer 1)."""

import threading
import time
import uuid
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, delete, func, select, text
from sqlalchemy.orm import Session

from gigcx.db.session import WRITES, is_pooled, make_engine
from gigcx.routing.enums import ChangeKind
from gigcx.routing.memory._read import (
    KEEP_LOG_SECONDS,
    START_OVER_AFTER,
    Experts,
    GroupKey,
    Row,
    object_array,
    read_experts,
    read_load,
    read_roster,
    uuid_of,
)
from gigcx.routing.models import RoutingChange

# ---------------------------------------------------------------------------------------------
# The memory


@dataclass(frozen=True, slots=True)
class Change:
    """One routing_changes entry: which expert, and what of them changed (ChangeKind)."""

    id: int
    expert_id: uuid.UUID
    kind: int


class Group:
    """The experts of one program, language, skill and channel, as arrays."""

    __slots__ = (
        "capacity",
        "certified",
        "id_array",
        "ids",
        "level",
        "order",
        "position",
        "proficiency",
        "quality",
        "slots",
    )

    def __init__(self, members: dict[uuid.UUID, Row], slot_of: dict[uuid.UUID, int]) -> None:
        ids = sorted(members, key=lambda expert_id: expert_id.int)
        self.ids = ids
        self.id_array = object_array(ids)
        self.slots = np.fromiter((slot_of[i] for i in ids), dtype=np.int64, count=len(ids))
        rows = [members[i] for i in ids]
        self.level = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(ids))
        self.proficiency = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(ids))
        self.capacity = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(ids))
        self.quality = np.fromiter((r[3] for r in rows), dtype=np.float64, count=len(ids))
        self.certified = np.fromiter((r[4] for r in rows), dtype=np.float64, count=len(ids))
        # Members are sorted by id: their position is the id order ties fall back on.
        self.order = np.arange(len(ids), dtype=np.int64)
        self.position = {expert_id: n for n, expert_id in enumerate(ids)}


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

    def apply(self, found: Experts) -> None:
        """Store what was read: roster rows in the loaded programs, idle clocks and loads."""
        for expert_id in found.load_ids:
            slot = self.slot(expert_id)
            self.working[slot, :] = 0
            self.pending[slot, :] = 0
        for (expert_id, channel), (working, pending) in found.load.items():
            slot, index = self.slot(expert_id), self.channel(channel)
            self.working[slot, index] = working
            self.pending[slot, index] = pending
        for expert_id, idle in found.idle.items():
            slot = self.slot(expert_id)
            self.idle[slot] = idle
        for program_id, roster in self.programs.items():
            rows = found.rows.get(program_id, {})
            for expert_id in found.roster_ids:
                roster.replace(expert_id, rows.get(expert_id, {}))

    # -- layer 1: what is committed ----------------------------------------------------------

    def refresh(self) -> None:
        """Read what was committed since the watermark (everything, the first time)."""
        with self.reader.connect() as connection:
            connection = connection.execution_options(**{WRITES: False})
            if (
                self.watermark < 0
                or time.monotonic() - self.refreshed > START_OVER_AFTER
                or self._log_restarted(connection)
            ):
                self._start_over(connection)
            else:
                self._read_changes(connection)
            connection.rollback()
        self.refreshed = time.monotonic()

    def _log_restarted(self, connection: Connection) -> bool:
        """Whether the log holds no id as high as the watermark (emptied or recreated)."""
        latest = connection.scalar(select(func.max(RoutingChange.id)))
        return self.watermark > 0 and int(latest or 0) < self.watermark

    def _start_over(self, connection: Connection) -> None:
        programs = list(self.programs)
        self._reset()
        latest = connection.scalar(select(func.max(RoutingChange.id)))
        self.watermark = int(latest or 0)
        found = Experts()
        read_load(connection, found)  # of every expert
        self.apply(found)
        for program_id in programs:
            self.load_program(connection, program_id)

    def load_program(self, connection: Connection, program_id: uuid.UUID) -> None:
        """Read one program's roster (loads are kept for every expert already)."""
        found = Experts()
        read_roster(connection, found, program_id=program_id)
        roster = self.programs[program_id] = ProgramRoster()
        for expert_id, idle in found.idle.items():
            slot = self.slot(expert_id)
            self.idle[slot] = idle
        for expert_id, rows in found.rows.get(program_id, {}).items():
            self.slot(expert_id)
            roster.replace(expert_id, rows)
        # Every group now, not at its first ticket: a decision then never builds one, only
        # rebuilds one whose rows changed.
        for key in roster.members:
            roster.group(key, self.slot_of)

    def _read_changes(self, connection: Connection) -> None:
        bound = self._gap_bound(connection) if self.gaps else None
        rows = self._log_after_watermark(connection)
        roster_ids: set[uuid.UUID] = set()
        load_ids: set[uuid.UUID] = set()
        for change_id, expert_id, kind in rows:
            if change_id in self.applied:
                continue
            (load_ids if kind == ChangeKind.LOAD else roster_ids).add(uuid_of(expert_id))
            if change_id in self.gaps:
                del self.gaps[change_id]
                self.applied.add(change_id)
            elif change_id > self.watermark:
                if change_id > self.watermark + 1:
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
        if roster_ids or load_ids:
            found = read_experts(
                connection,
                roster_ids=sorted(roster_ids, key=str),
                load_ids=sorted(load_ids, key=str),
            )
            self.apply(found)

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

    # -- layer 2: what this transaction sees ---------------------------------------------

    def _log_after_watermark(self, connection: Connection) -> list[Any]:
        """(id, expert id, kind) of the log entries past the watermark, and of its gaps.

        Sent to the driver as it is: this runs before every decision, and the statement is too
        simple to be worth SQLAlchemy's compile and result layers (about half its time).
        """
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        where = f"id > {mark}"
        parameters: tuple[int, ...] = (self.watermark,)
        if self.gaps:
            gaps = sorted(self.gaps)
            where += f" OR id IN ({', '.join([mark] * len(gaps))})"
            parameters += tuple(gaps)
        return list(
            connection.exec_driver_sql(
                f"SELECT id, expert_id, kind FROM routing_changes WHERE {where} ORDER BY id",
                parameters,
            ).all()
        )

    def unread(self, connection: Connection) -> list[Change]:
        """Log entries this transaction sees and the memory has not read."""
        rows = self._log_after_watermark(connection)
        return [
            Change(change_id, uuid_of(expert_id), kind)
            for change_id, expert_id, kind in rows
            if change_id not in self.applied
        ]

    def still_unread(self, changes: list[Change]) -> list[Change]:
        """Those of ``changes`` a refresh since did not read: the transaction's own."""
        return [
            change
            for change in changes
            if (change.id > self.watermark or change.id in self.gaps)
            and change.id not in self.applied
        ]


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
