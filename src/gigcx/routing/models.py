import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, Numeric, SmallInteger, String, func
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base


class RoutingRoster(Base):
    """Who routing may offer work to, one row per program, language, skill and channel.

    A copy, for speed, of what eligibility reads from the experts' tables: a row exists only for
    an active enrollment of an available expert and a channel with capacity. Database triggers
    on those tables rewrite an expert's rows in the statement that changes them, whoever writes
    (ORM, bulk statement, SQL console), so the copy never disagrees with them inside a
    transaction; ``routing.reconcile_roster`` compares and repairs it periodically all the same
    (gigcx.routing.roster). Load (open assignments, pending offers) and idle times are not
    copied: routing reads them live.
    """

    __tablename__ = "routing_roster"

    expert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True
    )
    program_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    skill: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    level: Mapped[int]
    proficiency: Mapped[int]
    capacity: Mapped[int]
    quality_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2, asdecimal=True))
    certified_until: Mapped[datetime | None]

    __table_args__ = (
        # The eligibility query reads only this index.
        Index(
            "ix_routing_roster_match",
            "program_id",
            "language",
            "skill",
            "channel",
            "level",
            "expert_id",
            "proficiency",
            "capacity",
            "quality_score",
            "certified_until",
        ),
    )


class RoutingChange(Base):
    """One change to what routing reads of an expert, written by database triggers.

    Roster rows, assignments, offers and the expert's idle clock each add the expert's id here
    in the statement that changes them (migration 0031); gigcx.routing.memory reads the log to
    know whose data to read again. ``routing.reconcile_roster`` trims rows older than an hour.
    """

    __tablename__ = "routing_changes"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    expert_id: Mapped[uuid.UUID]
    # 1: roster rows, 2: load (assignments, offers), 3: idle clock (see ChangeKind)
    kind: Mapped[int] = mapped_column(SmallInteger)
    changed_at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp())
