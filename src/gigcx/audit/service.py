"""Write audit events; every state change calls this in the same transaction.

Events are chained per brand (and one chain for the platform) by the sealing job; see
``audit._chain``. Views of personal data are noted while a request reads and written once per
request by the delivery layer (``note_view`` / ``take_pending``), so a reading request never
writes in its own transaction.
"""

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gigcx.audit import _chain
from gigcx.audit._chain import Break, ChainReport, chain_of, chains, seal, verify_chain
from gigcx.audit._export import brand_events, csv_lines
from gigcx.audit.models import AuditChain, AuditEvent
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.config import get_secret_key
from gigcx.kit import clock
from gigcx.kit.ids import new_id

__all__ = [
    "Break",
    "ChainReport",
    "brand_events",
    "chain_of",
    "chains",
    "csv_lines",
    "email_digest",
    "has_pending",
    "list_events",
    "note",
    "note_view",
    "prune",
    "record",
    "record_pending",
    "seal",
    "take_pending",
    "to_verify",
    "verify",
    "verify_chain",
]

UNMASKED_VIEWED = "privacy.unmasked_viewed"
ANONYMOUS = "anonymous"
_PENDING = "gigcx.audit.pending"
# A view note lists at most this many tickets of the customer seen in one request.
_VIEW_TICKETS = 20


def _event(
    *,
    actor_role: str,
    actor_id: uuid.UUID | None,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID,
    brand_id: uuid.UUID | None,
    data: dict[str, Any] | None,
) -> AuditEvent:
    event = AuditEvent(
        id=new_id(),
        created_at=clock.now(),
        brand_id=brand_id,
        actor_role=actor_role,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        # Stored as JSON gives it back, so the content hash is of what is stored.
        data=json.loads(json.dumps(data or {})),
    )
    event.content_hash = _chain.content_hash(event)
    return event


def record(
    session: Session,
    *,
    actor: Principal,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID,
    brand_id: uuid.UUID | None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event (sealed into its chain shortly after commit)."""
    event = _event(
        actor_role=actor.role,
        actor_id=actor.actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        brand_id=brand_id,
        data=data,
    )
    session.add(event)
    return event


def email_digest(email: str) -> str:
    """A keyed hash of an email address, to audit who it was without storing it in clear."""
    key = get_secret_key().encode()
    normalized = email.strip().lower().encode()
    return hmac.new(key, b"audit-email:" + normalized, hashlib.sha256).hexdigest()


def list_events(
    session: Session, *, subject_type: str, subject_id: uuid.UUID
) -> Sequence[AuditEvent]:
    """Return a thing's audit trail, oldest first."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return session.scalars(statement).all()


@dataclass
class PendingEvent:
    """An event noted while a request reads; written once the request's answer is ready."""

    actor_role: str
    actor_id: uuid.UUID | None
    action: str
    subject_type: str
    subject_id: uuid.UUID
    brand_id: uuid.UUID | None
    data: dict[str, Any] = field(default_factory=dict)


def note_view(
    session: Session,
    *,
    viewer: Principal,
    customer_id: uuid.UUID,
    brand_id: uuid.UUID,
    ticket_id: uuid.UUID,
    kinds: Sequence[str],
) -> None:
    """Note that ``viewer`` saw a customer's personal data unmasked (one event per request)."""
    pending: dict[tuple[str, uuid.UUID], PendingEvent] = session.info.setdefault(_PENDING, {})
    key = (UNMASKED_VIEWED, customer_id)
    note = pending.get(key)
    if note is None:
        note = pending[key] = PendingEvent(
            actor_role=viewer.role,
            actor_id=viewer.actor_id,
            action=UNMASKED_VIEWED,
            subject_type="customer",
            subject_id=customer_id,
            brand_id=brand_id,
            data={"ticket_ids": [], "kinds": sorted(kinds)},
        )
    tickets: list[str] = note.data["ticket_ids"]
    if str(ticket_id) not in tickets and len(tickets) < _VIEW_TICKETS:
        tickets.append(str(ticket_id))


def note(
    session: Session,
    *,
    actor: Principal,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID,
    brand_id: uuid.UUID | None,
    data: dict[str, Any] | None = None,
) -> None:
    """Like ``record``, for a request that only reads: written once its answer is ready."""
    pending: dict[Any, PendingEvent] = session.info.setdefault(_PENDING, {})
    pending[(action, subject_id, len(pending))] = PendingEvent(
        actor_role=actor.role,
        actor_id=actor.actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        brand_id=brand_id,
        data=dict(data or {}),
    )


def has_pending(session: Session) -> bool:
    """Whether events were noted in this session and not taken yet."""
    return bool(session.info.get(_PENDING))


def take_pending(session: Session) -> list[PendingEvent]:
    """The events noted in this session so far, forgotten by it."""
    pending: dict[Any, PendingEvent] = session.info.pop(_PENDING, {})
    return list(pending.values())


def refusal(principal: Principal | None, *, method: str, path: str, status: int) -> PendingEvent:
    """A failed authorisation: who was refused what (the path, never the query or body)."""
    actor_id = principal.actor_id if principal is not None else None
    subject_id = actor_id or (principal.expert_id if principal is not None else None)
    return PendingEvent(
        actor_role=principal.role if principal is not None else ANONYMOUS,
        actor_id=actor_id,
        action="auth.refused",
        subject_type="principal",
        subject_id=subject_id or uuid.UUID(int=0),
        brand_id=principal.brand_id if principal is not None else None,
        data={"method": method, "path": path[:300], "status": status},
    )


def record_pending(session: Session, events: Sequence[PendingEvent]) -> None:
    """Write noted events in ``session``."""
    for pending in events:
        session.add(
            _event(
                actor_role=pending.actor_role,
                actor_id=pending.actor_id,
                action=pending.action,
                subject_type=pending.subject_type,
                subject_id=pending.subject_id,
                brand_id=pending.brand_id,
                data=pending.data,
            )
        )
    session.flush()


def prune(session: Session, *, brand_id: uuid.UUID | None, before: datetime) -> int:
    """Delete a brand's audit events older than ``before``; return how many.

    Only the start of the chain goes: up to the first event at or after ``before``. The last
    pruned place and chain hash become the chain's checkpoint, from which verification starts,
    and the prune is itself audited (the event vouches for the checkpoint).
    """
    seal(session)
    chain = chain_of(brand_id)
    state = session.get(AuditChain, chain)
    if state is None:
        return 0
    first_kept = session.scalar(
        select(AuditEvent.seq)
        .where(AuditEvent.chain == chain, AuditEvent.created_at >= before)
        .order_by(AuditEvent.seq)
        .limit(1)
    )
    through = state.last_seq if first_kept is None else first_kept - 1
    if through <= state.pruned_seq:
        return 0
    through_hash = session.scalar(
        select(AuditEvent.chain_hash).where(AuditEvent.chain == chain, AuditEvent.seq == through)
    )
    if through_hash is None:
        # The chain is already broken here; pruning must not paper over it.
        raise LookupError(f"audit chain {chain} has no event {through}; run `gigcx audit verify`")
    deleted = session.execute(
        delete(AuditEvent).where(
            AuditEvent.chain == chain,
            AuditEvent.seq > state.pruned_seq,
            AuditEvent.seq <= through,
        ),
        execution_options={"synchronize_session": False},
    )
    count = int(deleted.rowcount)  # type: ignore[attr-defined]
    state.pruned_seq, state.pruned_hash, state.pruned_at = through, through_hash, clock.now()
    record(
        session,
        actor=SYSTEM,
        action="audit.pruned",  # _chain.PRUNED: verification looks for it
        subject_type="audit_chain",
        subject_id=brand_id or uuid.UUID(int=0),
        brand_id=brand_id,
        data={
            "before": before.isoformat(),
            "deleted": count,
            "through_seq": through,
            "through_hash": through_hash,
        },
    )
    session.flush()
    return count


@dataclass(frozen=True)
class Verification:
    reports: list[ChainReport]
    # Events not sealed yet whose content no longer matches the hash written with them.
    changed_unsealed: list[uuid.UUID]

    @property
    def is_intact(self) -> bool:
        return not self.changed_unsealed and all(r.broken is None for r in self.reports)

    @property
    def first_break(self) -> Break | None:
        return next((r.broken for r in self.reports if r.broken is not None), None)


def verify(
    session: Session,
    *,
    brand_id: uuid.UUID | None = None,
    progress: Callable[[int], None] | None = None,
) -> Verification:
    """Recompute every chain (or one brand's) from its checkpoint; seal first (``seal``)."""
    reports = [
        verify_chain(session, state, progress=progress)
        for state in chains(session, brand_id=brand_id)
    ]
    changed = _chain.unsealed_changes(session, brand_id=brand_id)
    return Verification(reports=reports, changed_unsealed=changed)


def to_verify(session: Session, *, brand_id: uuid.UUID | None = None) -> int:
    """How many sealed events ``verify`` will read (for a progress bar)."""
    return _chain.sealed_count(session, chains(session, brand_id=brand_id))
