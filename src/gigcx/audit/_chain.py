"""The hash chains: content hashes, sealing events into their chain, verifying the chains.

Writers never wait for each other: an event is inserted with its own content hash only. The
sealer (a recurring job, and the first step of ``gigcx audit verify``) takes one lock, reads the
unsealed events oldest first, and gives each the next place in its brand's chain (or the
platform's) with ``chain_hash = SHA-256(previous chain hash : chain : seq : content hash)``.
Sealers take turns on the lock (PostgreSQL advisory lock; SQLite's write lock), so two of them
never hand out one place twice.
"""

import hashlib
import json
import uuid
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.audit.models import GENESIS_HASH, PLATFORM_CHAIN, AuditChain, AuditEvent
from gigcx.db.dialect import serialize
from gigcx.kit import clock

SEAL_LOCK = "audit.seal"
SEAL_BATCH = 2000
PRUNED = "audit.pruned"

Progress = Callable[[int, int], None]


def chain_of(brand_id: uuid.UUID | None) -> str:
    """The chain an event of this brand belongs to."""
    return str(brand_id) if brand_id is not None else PLATFORM_CHAIN


def _plain(value: Any) -> Any:
    """A JSON value in one spelling whatever the database gave back (1.0 and 1 are one)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(event: AuditEvent) -> str:
    """The event's fields as canonical JSON: sorted keys, no spaces, UTC times."""
    fields = {
        "id": str(event.id),
        "created_at": _moment(event.created_at),
        "brand_id": str(event.brand_id) if event.brand_id else None,
        "actor_role": event.actor_role,
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": str(event.subject_id),
        "data": _plain(event.data or {}),
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(event).encode()).hexdigest()


def link(previous: str, chain: str, seq: int, content: str) -> str:
    """The chain hash of the event at ``seq`` whose content hash is ``content``."""
    return hashlib.sha256(f"{previous}:{chain}:{seq}:{content}".encode()).hexdigest()


def _state(session: Session, chain: str, brand_id: uuid.UUID | None) -> AuditChain:
    state = session.get(AuditChain, chain)
    if state is None:
        state = AuditChain(
            chain=chain,
            brand_id=brand_id,
            last_seq=0,
            last_hash=GENESIS_HASH,
            pruned_seq=0,
            pruned_hash=GENESIS_HASH,
        )
        session.add(state)
    return state


def lock(session: Session) -> None:
    """Take the sealing lock until commit (sealing, pruning)."""
    serialize(session, SEAL_LOCK)


def seal(session: Session, *, limit: int | None = None) -> int:
    """Give every unsealed event its place in its chain, oldest first; return how many."""
    lock(session)
    sealed = 0
    while limit is None or sealed < limit:
        batch = SEAL_BATCH if limit is None else min(SEAL_BATCH, limit - sealed)
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq.is_(None))
            .order_by(AuditEvent.created_at, AuditEvent.id)
            .limit(batch)
        ).all()
        if not events:
            break
        now = clock.now()
        for event in events:
            chain = chain_of(event.brand_id)
            state = _state(session, chain, event.brand_id)
            content = event.content_hash or content_hash(event)
            seq = state.last_seq + 1
            state.last_hash = link(state.last_hash, chain, seq, content)
            state.last_seq = seq
            state.sealed_at = now
            event.content_hash, event.chain, event.seq = content, chain, seq
            event.chain_hash = state.last_hash
        session.flush()
        sealed += len(events)
    return sealed


@dataclass(frozen=True)
class Break:
    """Where a chain stops being what was sealed: the first place that does not check out."""

    chain: str
    seq: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    chain: str
    brand_id: uuid.UUID | None
    first_seq: int
    last_seq: int
    last_hash: str
    checked: int
    broken: Break | None


def _sealed(session: Session, chain: str, after: int) -> Generator[AuditEvent]:
    """The chain's events after ``after`` in order, read in batches (a server-side cursor on
    PostgreSQL, closed when the caller stops early)."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.chain == chain, AuditEvent.seq > after)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=SEAL_BATCH)
    )
    result = session.scalars(statement)
    try:
        yield from result
    finally:
        result.close()


def _checkpoint_problem(session: Session, state: AuditChain) -> str | None:
    """A pruning checkpoint must be vouched for by the sealed event that the prune wrote."""
    if state.pruned_seq == 0 and state.pruned_hash == GENESIS_HASH:
        return None
    vouchers = session.scalars(
        select(AuditEvent.data).where(
            AuditEvent.chain == state.chain,
            AuditEvent.action == PRUNED,
            AuditEvent.seq > state.pruned_seq,
        )
    ).all()
    for data in vouchers:
        if data.get("through_seq") == state.pruned_seq and (
            data.get("through_hash") == state.pruned_hash
        ):
            return None
    return "the pruning checkpoint matches no audited prune"


def verify_chain(
    session: Session, state: AuditChain, *, progress: Callable[[int], None] | None = None
) -> ChainReport:
    """Recompute one chain from its checkpoint to its head; stop at the first break."""
    chain = state.chain
    previous_seq, previous_hash = state.pruned_seq, state.pruned_hash
    checked = 0
    broken: Break | None = None
    problem = _checkpoint_problem(session, state)
    if problem is not None:
        broken = Break(chain, state.pruned_seq, problem)
    events = _sealed(session, chain, state.pruned_seq)
    for event in events if broken is None else ():
        expected = previous_seq + 1
        assert event.seq is not None
        if event.seq != expected:
            reason = f"event {expected} is missing (next found: {event.seq})"
            broken = Break(chain, expected, reason)
            break
        content = content_hash(event)
        if content != event.content_hash:
            broken = Break(chain, expected, "the event was changed after it was written")
            break
        if link(previous_hash, chain, expected, content) != event.chain_hash:
            broken = Break(chain, expected, "the event is not the one sealed at this place")
            break
        previous_seq, previous_hash = expected, event.chain_hash
        checked += 1
        if progress is not None:
            progress(1)
    events.close()
    if broken is None and (previous_seq, previous_hash) != (state.last_seq, state.last_hash):
        broken = Break(
            chain,
            previous_seq + 1,
            f"the chain ends at {previous_seq} but its head says {state.last_seq}",
        )
    return ChainReport(
        chain=chain,
        brand_id=state.brand_id,
        first_seq=state.pruned_seq + 1,
        last_seq=state.last_seq,
        last_hash=state.last_hash,
        checked=checked,
        broken=broken,
    )


def chains(session: Session, *, brand_id: uuid.UUID | None = None) -> list[AuditChain]:
    """Every chain's state (or one brand's), platform first."""
    statement = select(AuditChain).order_by(AuditChain.chain != PLATFORM_CHAIN, AuditChain.chain)
    if brand_id is not None:
        statement = statement.where(AuditChain.chain == chain_of(brand_id))
    return list(session.scalars(statement))


def sealed_count(session: Session, states: list[AuditChain]) -> int:
    """How many events verification will read."""
    return sum(max(0, s.last_seq - s.pruned_seq) for s in states)


def unsealed_changes(session: Session, *, brand_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    """Events still waiting for their seal whose content no longer matches its hash."""
    changed = []
    statement = select(AuditEvent).where(
        AuditEvent.seq.is_(None), AuditEvent.content_hash.is_not(None)
    )
    if brand_id is not None:
        statement = statement.where(AuditEvent.brand_id == brand_id)
    for event in session.scalars(statement.execution_options(yield_per=SEAL_BATCH)):
        if content_hash(event) != event.content_hash:
            changed.append(event.id)
    return changed


def count_unsealed(session: Session) -> int:
    return session.scalar(select(func.count()).where(AuditEvent.seq.is_(None))) or 0
