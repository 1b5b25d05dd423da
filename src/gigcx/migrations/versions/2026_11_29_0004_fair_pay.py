"""fair pay: rate card by language and time band, fees, surges, payouts, bonus rules

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gigcx.db.base


revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)
MONEY = sa.Numeric(precision=14, scale=2)


def upgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sa.String(length=64), nullable=False, server_default="UTC")
        )
        batch_op.add_column(
            sa.Column("onboarding_fee", MONEY, nullable=False, server_default="10.00")
        )
        batch_op.add_column(sa.Column("review_fee", MONEY, nullable=False, server_default="2.00"))
        batch_op.add_column(
            sa.Column(
                "escalation_share",
                sa.Numeric(precision=5, scale=4),
                nullable=False,
                server_default="0.5",
            )
        )
        batch_op.add_column(sa.Column("hourly_floor", MONEY, nullable=True))

    with op.batch_alter_table("rates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("time_band", sa.String(length=16), nullable=True))
        batch_op.drop_constraint("uq_rates_program_id_category_key_complexity", type_="unique")
        batch_op.create_unique_constraint(
            "uq_rates_program_id_category_key_complexity_language_time_band",
            ["program_id", "category_key", "complexity", "language", "time_band"],
        )

    op.create_table(
        "surges",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("multiplier", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("announced_at", UTC, nullable=False),
        sa.Column("starts_at", UTC, nullable=False),
        sa.Column("ends_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_surges_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_surges_program_id_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surges")),
    )
    with op.batch_alter_table("surges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_surges_program_window", ["program_id", "language", "starts_at"], unique=False
        )

    with op.batch_alter_table("earnings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("surge_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "terms",
                sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql"),
                nullable=False,
                server_default=sa.text("'{}'"),
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_earnings_surge_id_surges"), "surges", ["surge_id"], ["id"]
        )

    op.create_table(
        "payouts",
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cutoff", UTC, nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_payouts_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["experts.id"], name=op.f("fk_payouts_expert_id_experts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
        sa.UniqueConstraint(
            "week",
            "expert_id",
            "brand_id",
            "currency",
            name=op.f("uq_payouts_week_expert_id_brand_id_currency"),
        ),
    )
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payouts_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index("ix_payouts_expert", ["expert_id", "created_at"], unique=False)

    op.create_table(
        "payout_lines",
        sa.Column("earning_id", sa.Uuid(), nullable=False),
        sa.Column("payout_id", sa.Uuid(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["earning_id"], ["earnings.id"], name=op.f("fk_payout_lines_earning_id_earnings")
        ),
        sa.ForeignKeyConstraint(
            ["payout_id"], ["payouts.id"], name=op.f("fk_payout_lines_payout_id_payouts")
        ),
        sa.PrimaryKeyConstraint("earning_id", name=op.f("pk_payout_lines")),
    )
    with op.batch_alter_table("payout_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payout_lines_payout_id"), ["payout_id"], unique=False)

    op.create_table(
        "bonus_rules",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("min_tasks", sa.Integer(), nullable=False),
        sa.Column("min_csat", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("min_qa", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_bonus_rules_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_bonus_rules_program_id_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bonus_rules")),
    )
    with op.batch_alter_table("bonus_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bonus_rules_program_id"), ["program_id"], unique=False)


def downgrade() -> None:
    op.drop_table("bonus_rules")
    op.drop_table("payout_lines")
    op.drop_table("payouts")
    with op.batch_alter_table("earnings", schema=None) as batch_op:
        batch_op.drop_constraint("fk_earnings_surge_id_surges", type_="foreignkey")
        batch_op.drop_column("terms")
        batch_op.drop_column("surge_id")
    op.drop_table("surges")
    with op.batch_alter_table("rates", schema=None) as batch_op:
        batch_op.drop_constraint(
            "uq_rates_program_id_category_key_complexity_language_time_band", type_="unique"
        )
        batch_op.create_unique_constraint(
            "uq_rates_program_id_category_key_complexity",
            ["program_id", "category_key", "complexity"],
        )
        batch_op.drop_column("time_band")
        batch_op.drop_column("language")
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("hourly_floor")
        batch_op.drop_column("escalation_share")
        batch_op.drop_column("review_fee")
        batch_op.drop_column("onboarding_fee")
        batch_op.drop_column("timezone")
