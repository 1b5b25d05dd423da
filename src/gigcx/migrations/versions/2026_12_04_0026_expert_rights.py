"""tax profiles, decisions restricting enrollments, and the human review queue

Revision ID: 0026
Revises: 0023
Create Date: 2026-12-04 02:50:00.000000

tax_profiles: an expert's W-9 or W-8BEN details with the tax id and a typed signature.
enrollment_decisions: a named person's pause or removal of an enrollment, with the reason.
human_reviews: automated proposals to restrict and experts' requests for a person's review.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gigcx.db.base

revision: str = "0026"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tax_profiles",
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("form", sa.String(length=8), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("business_name", sa.String(length=200), nullable=False),
        sa.Column("tax_classification", sa.String(length=32), nullable=False),
        sa.Column("citizenship_country", sa.String(length=2), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("tin_type", sa.String(length=8), nullable=False),
        sa.Column("tax_id", sa.String(length=64), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("treaty_country", sa.String(length=2), nullable=False),
        sa.Column("treaty_article", sa.String(length=100), nullable=False),
        sa.Column("signature_name", sa.String(length=200), nullable=False),
        sa.Column("certified_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["experts.id"], name=op.f("fk_tax_profiles_expert_id_experts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_profiles")),
        sa.UniqueConstraint("expert_id", name=op.f("uq_tax_profiles_expert_id")),
    )
    op.create_table(
        "enrollment_decisions",
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("decided_by_name", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_enrollment_decisions_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["experts.id"], name=op.f("fk_enrollment_decisions_expert_id_experts")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_enrollment_decisions_program_id_programs"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["users.id"],
            name=op.f("fk_enrollment_decisions_decided_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_decisions")),
    )
    op.create_index(
        op.f("ix_enrollment_decisions_enrollment_id"), "enrollment_decisions", ["enrollment_id"]
    )
    op.create_index(
        op.f("ix_enrollment_decisions_expert_id"), "enrollment_decisions", ["expert_id"]
    )
    op.create_table(
        "human_reviews",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=True),
        sa.Column("proposed_status", sa.String(length=16), nullable=True),
        sa.Column("raised_by", sa.String(length=64), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=False),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by_name", sa.String(length=120), nullable=False),
        sa.Column("decided_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_human_reviews_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_human_reviews_program_id_programs")
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_human_reviews_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["experts.id"], name=op.f("fk_human_reviews_expert_id_experts")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["enrollment_decisions.id"],
            name=op.f("fk_human_reviews_decision_id_enrollment_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["users.id"],
            name=op.f("fk_human_reviews_decided_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_human_reviews")),
    )
    op.create_index(op.f("ix_human_reviews_enrollment_id"), "human_reviews", ["enrollment_id"])
    op.create_index(op.f("ix_human_reviews_expert_id"), "human_reviews", ["expert_id"])
    op.create_index(
        "ix_human_reviews_brand_status", "human_reviews", ["brand_id", "status", "due_at"]
    )


def downgrade() -> None:
    op.drop_table("human_reviews")
    op.drop_table("enrollment_decisions")
    op.drop_table("tax_profiles")
