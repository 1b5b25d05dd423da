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

import time
import uuid
from datetime import datetime

import numpy as np
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from gigcx.db.session import WRITES
from gigcx.kit import clock
from gigcx.routing.enums import ChangeKind
from gigcx.routing.memory._pool import Pool
from gigcx.routing.memory._read import (
    START_OVER_AFTER,
    GroupKey,
    Row,
    object_array,
    read_experts,
    seconds,
    uuid_of,
)
from gigcx.routing.memory._store import Group, Memory, forget, memory_for, trim
from gigcx.tickets.models import Offer, Ticket

# A decision reads what was committed first when the transaction sees this many changes the
# memory has not read, or when it last did so this long ago; else it reads the few that matter.
REFRESH_AFTER_CHANGES = 64
REFRESH_EVERY = 0.2

__all__ = ["Memory", "Pool", "forget", "memory_for", "pool", "trim"]


def _excluded(connection: Connection, ticket: Ticket) -> set[uuid.UUID]:
    from gigcx.routing.queries import EXCLUDING_OFFER_STATUSES

    if not ticket.offer_count:
        return set()
    rows = connection.execute(
        select(Offer.expert_id).where(
            Offer.ticket_id == ticket.id, Offer.status.in_(EXCLUDING_OFFER_STATUSES)
        )
    )
    return {uuid_of(expert_id) for (expert_id,) in rows}


def pool(session: Session, ticket: Ticket, *, required_level: int) -> Pool:
    """Every expert eligible for the ticket now, as the session's transaction sees them; in a
    program that requires certification, only experts certified now."""
    certified_at = clock.now() if ticket.program.requires_certification else None
    connection = session.connection()
    memory = memory_for(connection.engine)
    key: GroupKey = (ticket.language, ticket.category or "", ticket.channel)
    with memory.lock:
        if memory.watermark < 0 or time.monotonic() - memory.refreshed > START_OVER_AFTER:
            memory.refresh()
        changes = memory.unread(connection)
        if changes and (
            len(changes) > REFRESH_AFTER_CHANGES
            or time.monotonic() - memory.refreshed > REFRESH_EVERY
        ):
            # Commits first: what is left after is this transaction's own.
            memory.refresh()
            changes = memory.still_unread(changes)
        program_id = ticket.program_id
        if program_id not in memory.programs:
            with memory.reader.connect() as reader:
                reader = reader.execution_options(**{WRITES: False})
                memory.load_program(reader, program_id)
                reader.rollback()
        group = memory.programs[program_id].group(key, memory.slot_of)
        # Only these matter here: experts of this group, and roster changes (which may add an
        # expert to it). The others wait for the next refresh.
        unread = {
            change.expert_id
            for change in changes
            if change.kind == ChangeKind.ROSTER or change.expert_id in group.position
        }
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
            eligible &= group.certified > seconds(certified_at)
    for expert_id in unread:
        position = group.position.get(expert_id)
        if position is not None:
            eligible[position] = False
    return np.flatnonzero(eligible)


def _snapshot(memory: Memory, group: Group, positions: np.ndarray, channel: int) -> Pool:
    slots = group.slots[positions]
    return Pool(
        ids=group.id_array[positions],
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
    ids = sorted(unread, key=str)
    fresh = read_experts(connection, roster_ids=ids, load_ids=ids)
    rows = fresh.rows.get(ticket.program_id, {})
    extra: list[tuple[uuid.UUID, Row]] = []
    for expert_id, by_key in rows.items():
        row = by_key.get(key)
        if row is None or row[0] < required_level:
            continue
        if certified_at is not None and not row[4] > seconds(certified_at):
            continue
        extra.append((expert_id, row))
    if not extra:
        return found
    ids = [*found.ids, *(expert_id for expert_id, _ in extra)]
    loads = [fresh.load.get((expert_id, ticket.channel), [0, 0]) for expert_id, _ in extra]
    merged = Pool(
        ids=object_array(ids),
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
