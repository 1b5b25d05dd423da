import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base, CreatedMixin, IdMixin

# The chain of events without a brand (platform admins, sign-ups, the platform's own work).
PLATFORM_CHAIN = "platform"
# The hash before the first event of a chain.
GENESIS_HASH = "0" * 64


class AuditEvent(IdMixin, CreatedMixin, Base):
    """An append-only record of who did what to which thing.

    ``content_hash`` is the SHA-256 of the event's canonical JSON, computed when it is written.
    The sealing job later gives it its place in its chain (one chain per brand, one for the
    platform): ``seq`` and ``chain_hash`` = SHA-256 of the previous event's chain hash, the
    chain, ``seq`` and ``content_hash``. An unsealed event has no ``seq`` yet.
    """

    __tablename__ = "audit_events"

    brand_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[uuid.UUID]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Null only for events written before the chain existed; sealing fills it in.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    chain: Mapped[str | None] = mapped_column(String(36))
    seq: Mapped[int | None] = mapped_column(BigInteger)
    chain_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_events_subject", "subject_type", "subject_id", "created_at"),
        Index("ix_audit_events_brand_created", "brand_id", "created_at"),
        UniqueConstraint("chain", "seq"),
        # Sealing looks for the few events without a place in their chain.
        Index(
            "ix_audit_events_unsealed",
            "created_at",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
    )

    def __repr__(self) -> str:
        return f"AuditEvent({self.action} {self.subject_type}:{self.subject_id})"


class AuditChain(Base):
    """The head of one chain, and where it starts after pruning (the checkpoint).

    ``pruned_seq`` and ``pruned_hash`` are the place and chain hash of the last event pruned
    (0 and the genesis hash before any pruning); verification starts from them.
    """

    __tablename__ = "audit_chains"

    chain: Mapped[str] = mapped_column(String(36), primary_key=True)
    brand_id: Mapped[uuid.UUID | None]
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
    pruned_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    pruned_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
    sealed_at: Mapped[datetime | None]
    pruned_at: Mapped[datetime | None]
