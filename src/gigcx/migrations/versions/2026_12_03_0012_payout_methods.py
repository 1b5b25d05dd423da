"""payout methods and payout runs

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import gigcx.db.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "payout_methods",
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("account_holder", sa.String(length=120), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("paypal_email", sa.String(length=254), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["experts.id"], name=op.f("fk_payout_methods_expert_id_experts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_methods")),
        sa.UniqueConstraint("expert_id", name=op.f("uq_payout_methods_expert_id")),
    )
    op.create_table(
        "payout_runs",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("payouts", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("totals", JSON, nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("carried", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_payout_runs_brand_id_brands")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_runs")),
    )
    op.create_index("ix_payout_runs_brand", "payout_runs", ["brand_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_payout_runs_brand", table_name="payout_runs")
    op.drop_table("payout_runs")
    op.drop_table("payout_methods")
