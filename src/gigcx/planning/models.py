import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base, IdMixin

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
