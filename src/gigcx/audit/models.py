import uuid
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base, CreatedMixin, IdMixin


class AuditEvent(IdMixin, CreatedMixin, Base):
    """An append-only record of who did what to which thing."""

    __tablename__ = "audit_events"

    brand_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[uuid.UUID]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id", "created_at"),)

    def __repr__(self) -> str:
        return f"AuditEvent({self.action} {self.subject_type}:{self.subject_id})"
