"""data subject rights and retention

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-04 02:19:12.575494

privacy_requests: export and erasure requests (subject by id and keyed email hash), with the
export's zip until it expires.
legal_holds: a ticket or a customer kept from erasure and retention, with the reason.
retention_policies: per brand, how long closed tickets, raw mail and attachments, audit events
and export archives are kept.
ticket_erasures: tickets whose content was wiped (by an erasure or by retention).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

import gigcx.db.base

revision: str = "0022"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "privacy_requests",
        sa.Column("brand_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_role", sa.String(length=32), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("finished_at", UTC, nullable=True),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("archive", sa.LargeBinary(), nullable=True),
        sa.Column("archive_size", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_privacy_requests_brand_id_brands")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
    )
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.create_index("ix_privacy_requests_brand", ["brand_id", "created_at"], unique=False)
        batch_op.create_index(
            "ix_privacy_requests_subject", ["subject_kind", "subject_id"], unique=False
        )

    op.create_table(
        "retention_policies",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("closed_ticket_days", sa.Integer(), nullable=True),
        sa.Column("raw_content_days", sa.Integer(), nullable=True),
        sa.Column("audit_years", sa.Integer(), nullable=True),
        sa.Column("export_keep_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_retention_policies_brand_id_brands")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_policies")),
        sa.UniqueConstraint("brand_id", name=op.f("uq_retention_policies_brand_id")),
    )
    op.create_table(
        "legal_holds",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by_role", sa.String(length=32), nullable=False),
        sa.Column("set_by_id", sa.Uuid(), nullable=True),
        sa.Column("released_at", UTC, nullable=True),
        sa.Column("released_by_id", sa.Uuid(), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_legal_holds_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_legal_holds_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_legal_holds_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_holds_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_legal_holds_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_legal_holds_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "ticket_erasures",
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.Column("erased_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_erasures_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ticket_erasures")),
    )


def downgrade() -> None:
    op.drop_table("ticket_erasures")
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_holds_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_legal_holds_customer_id"))
        batch_op.drop_index(batch_op.f("ix_legal_holds_brand_id"))

    op.drop_table("legal_holds")
    op.drop_table("retention_policies")
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_privacy_requests_subject")
        batch_op.drop_index("ix_privacy_requests_brand")

    op.drop_table("privacy_requests")
