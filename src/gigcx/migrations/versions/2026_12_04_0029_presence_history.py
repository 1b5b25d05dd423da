"""presence history, stated availability and coverage actions

Revision ID: 0029
Revises: 0030
Create Date: 2026-12-04 09:00:00.000000

presence_spans: stretches of time an expert was available (open while they still are).
expert_availability: the weekly hours an expert says they work, in their own time zone.
coverage_actions: what a brand did about a coverage gap (surge ahead, invitation, recruitment).
coverage_invitations: the experts one invitation went to.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gigcx.db.base

revision: str = "0029"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "presence_spans",
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("ended_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_presence_spans_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence_spans")),
    )
    op.create_index("ix_presence_spans_expert", "presence_spans", ["expert_id", "started_at"])
    op.create_table(
        "expert_availability",
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_hour", sa.Integer(), nullable=False),
        sa.Column("end_hour", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_expert_availability_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_availability")),
        sa.UniqueConstraint(
            "expert_id",
            "weekday",
            "start_hour",
            name=op.f("uq_expert_availability_expert_id_weekday_start_hour"),
        ),
    )
    op.create_index("ix_expert_availability_expert", "expert_availability", ["expert_id"])
    op.create_table(
        "coverage_actions",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("hour_of_week", sa.Integer(), nullable=False),
        sa.Column("target_key", sa.String(length=80), nullable=False),
        sa.Column("starts_at", UTC, nullable=True),
        sa.Column("ends_at", UTC, nullable=True),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("surge_id", sa.Uuid(), nullable=True),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("expert_count", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_coverage_actions_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_coverage_actions_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["surge_id"], ["surges.id"], name=op.f("fk_coverage_actions_surge_id_surges")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_coverage_actions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_actions")),
        sa.UniqueConstraint(
            "program_id",
            "kind",
            "language",
            "target_key",
            name=op.f("uq_coverage_actions_program_id_kind_language_target_key"),
        ),
    )
    op.create_index(
        "ix_coverage_actions_program", "coverage_actions", ["program_id", "kind", "ends_at"]
    )
    op.create_table(
        "coverage_invitations",
        sa.Column("action_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["coverage_actions.id"],
            name=op.f("fk_coverage_invitations_action_id_coverage_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_coverage_invitations_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("action_id", "expert_id", name=op.f("pk_coverage_invitations")),
    )
    op.create_index("ix_coverage_invitations_expert", "coverage_invitations", ["expert_id"])


def downgrade() -> None:
    op.drop_table("coverage_invitations")
    op.drop_table("coverage_actions")
    op.drop_table("expert_availability")
    op.drop_table("presence_spans")
