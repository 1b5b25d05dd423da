"""cost baselines: a program's in-house cost, handle time and targets for cost planning

Revision ID: 0030
Revises: 0025
Create Date: 2026-12-04 05:00:00.000000

cost_baselines: one row per program with the loaded hourly cost of the in-house team,
utilisation, shrinkage, handle time, service-level target, opening hours, the blended split
and per-category monthly volumes and handle times.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import gigcx.db.base

revision: str = "0030"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
SHARE = sa.Numeric(5, 4, asdecimal=True)


def upgrade() -> None:
    op.create_table(
        "cost_baselines",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("hourly_cost", sa.Numeric(14, 2, asdecimal=True), nullable=False),
        sa.Column("utilisation", SHARE, nullable=False),
        sa.Column("shrinkage", SHARE, nullable=False),
        sa.Column("aht_seconds", sa.Integer(), nullable=False),
        sa.Column("service_level_target", SHARE, nullable=False),
        sa.Column("answer_within_seconds", sa.Integer(), nullable=False),
        sa.Column("hours_open_per_month", sa.Integer(), nullable=False),
        sa.Column("gig_share", SHARE, nullable=False),
        sa.Column("categories", JSON, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_cost_baselines_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_cost_baselines_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_baselines")),
        sa.UniqueConstraint("program_id", name=op.f("uq_cost_baselines_program_id")),
    )
    op.create_index(op.f("ix_cost_baselines_brand_id"), "cost_baselines", ["brand_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cost_baselines_brand_id"), table_name="cost_baselines")
    op.drop_table("cost_baselines")
