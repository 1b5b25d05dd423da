"""Planning's tables: forecasts and their series, and what brands did about coverage gaps."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.planning.enums import CoverageActionKind

# The language and channel of a program's series of all its tickets (forecast_series only).
ALL = "*"


class Forecast(IdMixin, Base):
    """Expected arrivals of one hour for one program, language and channel, with a band."""

    __tablename__ = "forecasts"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime]
    mean: Mapped[float]
    lower: Mapped[float]
    upper: Mapped[float]
    method: Mapped[str] = mapped_column(String(32))
    made_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("program_id", "language", "channel", "starts_at"),
        Index("ix_forecasts_program_hour", "program_id", "starts_at"),
        Index("ix_forecasts_brand_id", "brand_id"),
    )


class ForecastSeries(IdMixin, Base):
    """The latest forecast of one series of a program: its method, history and backtest.

    One row per program, language and channel, and one for all the program's tickets
    (language and channel ``ALL``). The backtest columns are empty when the history was too
    short for one.
    """

    __tablename__ = "forecast_series"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(32))
    made_at: Mapped[datetime]
    history_start: Mapped[datetime]
    history_hours: Mapped[int]
    arrivals: Mapped[int]
    horizon_hours: Mapped[int]
    level: Mapped[float]
    backtest_horizon: Mapped[int | None]
    backtest_origins: Mapped[int | None]
    mae: Mapped[float | None]
    mase: Mapped[float | None]
    naive_mae: Mapped[float | None]
    naive_mase: Mapped[float | None]
    coverage: Mapped[float | None]

    @property
    def is_total(self) -> bool:
        return self.language == ALL and self.channel == ALL

    __table_args__ = (
        UniqueConstraint("program_id", "language", "channel"),
        Index("ix_forecast_series_brand_id", "brand_id"),
    )


class CoverageAction(IdMixin, CreatedMixin, Base):
    """What a brand did about a coverage gap: a surge announced ahead, an invitation, a
    recruitment note. ``target_key`` makes the same action on the same gap happen once."""

    __tablename__ = "coverage_actions"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    kind: Mapped[CoverageActionKind] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    # Hour of the week in UTC: 0 is Monday 00:00-01:00, 167 is Sunday 23:00-24:00.
    hour_of_week: Mapped[int]
    # The hour the action is for (surge, invitation) or the region and day (recruitment).
    target_key: Mapped[str] = mapped_column(String(80))
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    # A recruitment note's region, as people read it ("UTC+8 to UTC+10: East Asia, Australia").
    region: Mapped[str | None] = mapped_column(String(120))
    # What was announced, as experts read it.
    note: Mapped[str] = mapped_column(Text, default="")
    surge_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("surges.id"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expert_count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        UniqueConstraint("program_id", "kind", "language", "target_key"),
        Index("ix_coverage_actions_program", "program_id", "kind", "ends_at"),
    )


class CoverageInvitation(Base):
    """One expert invited to cover a gap (the experts whose local daytime covers it)."""

    __tablename__ = "coverage_invitations"

    action_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("coverage_actions.id", ondelete="CASCADE"), primary_key=True
    )
    expert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("ix_coverage_invitations_expert", "expert_id"),)
