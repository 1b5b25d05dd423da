"""expert compliance: agreements, acceptances, brand rules, attestations, identity checks

Revision ID: 0025
Revises: 0021
Create Date: 2026-12-04 02:40:00.000000

agreements: versions of the platform terms (scope "platform") and of each brand's contractor
agreement (scope: the brand's id), with the SHA-256 of their text.
agreement_acceptances: an expert's acceptance of one version (typed name, time, address, hash).
brand_compliance: a brand's rules for experts (countries, attestation, identity check, hour cap).
work_authorisations: an expert's attestation to work in their country for a brand.
identity_checks: status reports of identity or background checks received by signed webhook.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import gigcx.db.base

revision: str = "0025"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("brand_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("published_at", UTC, nullable=False),
        sa.Column("published_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_agreements_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["users.id"],
            name=op.f("fk_agreements_published_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("scope", "version", name=op.f("uq_agreements_scope_version")),
    )
    op.create_index(op.f("ix_agreements_brand_id"), "agreements", ["brand_id"])
    op.create_table(
        "agreement_acceptances",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("accepted_at", UTC, nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_acceptances_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_agreement_acceptances_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_acceptances")),
        sa.UniqueConstraint(
            "agreement_id",
            "expert_id",
            name=op.f("uq_agreement_acceptances_agreement_id_expert_id"),
        ),
    )
    op.create_index(
        "ix_agreement_acceptances_expert",
        "agreement_acceptances",
        ["expert_id", "agreement_id"],
    )
    op.create_table(
        "brand_compliance",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("allowed_countries", JSON, nullable=False),
        sa.Column("denied_countries", JSON, nullable=False),
        sa.Column(
            "requires_work_authorisation", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column(
            "requires_identity_check", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("max_hours_per_week", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_brand_compliance_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("brand_id", name=op.f("pk_brand_compliance")),
    )
    op.create_table(
        "work_authorisations",
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("attested_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_work_authorisations_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_work_authorisations_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("expert_id", "brand_id", name=op.f("pk_work_authorisations")),
    )
    op.create_table(
        "identity_checks",
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("checked_at", UTC, nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("webhook_id", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_identity_checks_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_checks")),
        sa.UniqueConstraint("webhook_id", name=op.f("uq_identity_checks_webhook_id")),
    )
    op.create_index("ix_identity_checks_expert", "identity_checks", ["expert_id", "checked_at"])


def downgrade() -> None:
    op.drop_index("ix_identity_checks_expert", table_name="identity_checks")
    op.drop_table("identity_checks")
    op.drop_table("work_authorisations")
    op.drop_table("brand_compliance")
    op.drop_index("ix_agreement_acceptances_expert", table_name="agreement_acceptances")
    op.drop_table("agreement_acceptances")
    op.drop_index(op.f("ix_agreements_brand_id"), table_name="agreements")
    op.drop_table("agreements")
