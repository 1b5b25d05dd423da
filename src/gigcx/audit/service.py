"""Write audit events; every state change calls this in the same transaction."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gigcx.audit.models import AuditEvent
from gigcx.auth.principal import Principal


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
    """Append one audit event."""
    event = AuditEvent(
        brand_id=brand_id,
        actor_role=actor.role,
        actor_id=actor.actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data or {},
    )
    session.add(event)
    return event


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


def prune(session: Session, *, brand_id: uuid.UUID, before: datetime) -> int:
    """Delete the brand's audit events older than ``before`` (retention); return how many."""
    result = session.execute(
        delete(AuditEvent).where(AuditEvent.brand_id == brand_id, AuditEvent.created_at < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)
