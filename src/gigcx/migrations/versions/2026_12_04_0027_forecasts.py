"""forecasts of hourly arrivals per program, language and channel, with their backtests

Revision ID: 0027
Revises: 0029
Create Date: 2026-12-04 08:00:00.000000

forecasts: expected arrivals per hour with a band, the method and when they were made.
forecast_series: the latest forecast of each series of a program (and of all its tickets):
its history, method and backtest against seasonal naive (MAE, MASE, band coverage).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gigcx.db.base

revision: str = "0027"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)


def _owners(table: str) -> list[sa.Column[object] | sa.ForeignKeyConstraint]:
    return [
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f(f"fk_{table}_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f(f"fk_{table}_program_id_programs"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "forecasts",
        *_owners("forecasts"),
        sa.Column("starts_at", UTC, nullable=False),
        sa.Column("mean", sa.Double(), nullable=False),
        sa.Column("lower", sa.Double(), nullable=False),
        sa.Column("upper", sa.Double(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("made_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecasts")),
        sa.UniqueConstraint(
            "program_id",
            "language",
            "channel",
            "starts_at",
            name=op.f("uq_forecasts_program_id_language_channel_starts_at"),
        ),
    )
    op.create_index("ix_forecasts_program_hour", "forecasts", ["program_id", "starts_at"])
    op.create_index("ix_forecasts_brand_id", "forecasts", ["brand_id"])
    op.create_table(
        "forecast_series",
        *_owners("forecast_series"),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("made_at", UTC, nullable=False),
        sa.Column("history_start", UTC, nullable=False),
        sa.Column("history_hours", sa.Integer(), nullable=False),
        sa.Column("arrivals", sa.Integer(), nullable=False),
        sa.Column("horizon_hours", sa.Integer(), nullable=False),
        sa.Column("level", sa.Double(), nullable=False),
        sa.Column("backtest_horizon", sa.Integer(), nullable=True),
        sa.Column("backtest_origins", sa.Integer(), nullable=True),
        sa.Column("mae", sa.Double(), nullable=True),
        sa.Column("mase", sa.Double(), nullable=True),
        sa.Column("naive_mae", sa.Double(), nullable=True),
        sa.Column("naive_mase", sa.Double(), nullable=True),
        sa.Column("coverage", sa.Double(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_series")),
        sa.UniqueConstraint(
            "program_id",
            "language",
            "channel",
            name=op.f("uq_forecast_series_program_id_language_channel"),
        ),
    )
    op.create_index("ix_forecast_series_brand_id", "forecast_series", ["brand_id"])


def downgrade() -> None:
    op.drop_index("ix_forecast_series_brand_id", table_name="forecast_series")
    op.drop_table("forecast_series")
    op.drop_index("ix_forecasts_brand_id", table_name="forecasts")
    op.drop_index("ix_forecasts_program_hour", table_name="forecasts")
    op.drop_table("forecasts")
