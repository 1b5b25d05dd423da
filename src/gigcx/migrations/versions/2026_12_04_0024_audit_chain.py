"""tamper-evident audit: hash chains per brand and for the platform

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-04 02:20:00.000000

audit_events: content_hash (SHA-256 of the event, written with it), chain, seq and chain_hash
(set by the sealing job). Events written before this revision are sealed with their content
hash computed then.
audit_chains: each chain's head and its pruning checkpoint.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gigcx.db.base

revision: str = "0024"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "audit_chains",
        sa.Column("chain", sa.String(length=36), nullable=False),
        sa.Column("brand_id", sa.Uuid(), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("pruned_seq", sa.BigInteger(), nullable=False),
        sa.Column("pruned_hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", UTC, nullable=True),
        sa.Column("pruned_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_audit_chains")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("chain", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("chain_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_chain_seq"), ["chain", "seq"])
        batch_op.create_index(
            "ix_audit_events_brand_created", ["brand_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_audit_events_unsealed",
            ["created_at"],
            unique=False,
            postgresql_where=sa.text("seq IS NULL"),
            sqlite_where=sa.text("seq IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_unsealed")
        batch_op.drop_index("ix_audit_events_brand_created")
        batch_op.drop_constraint(batch_op.f("uq_audit_events_chain_seq"), type_="unique")
        batch_op.drop_column("chain_hash")
        batch_op.drop_column("seq")
        batch_op.drop_column("chain")
        batch_op.drop_column("content_hash")
    op.drop_table("audit_chains")
