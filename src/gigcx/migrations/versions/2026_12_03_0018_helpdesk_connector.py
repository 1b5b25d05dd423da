"""helpdesk connections, links, comments and syncs

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-03 23:30:00.000000

helpdesk_connections: a brand's Zendesk account, what GigCX takes from it, the export cursor.
helpdesk_links: a helpdesk ticket and the GigCX ticket made of it.
helpdesk_comments: helpdesk comment ids and our messages, both ways, so nothing comes twice.
helpdesk_syncs: each write to the helpdesk (outbox), with the marker that makes it idempotent.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import gigcx.db.base

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "helpdesk_connections",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("subdomain", sa.String(length=63), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("api_token", sa.String(length=200), nullable=False),
        sa.Column("agent_id", sa.BigInteger(), nullable=False),
        sa.Column("form_ids", JSON, nullable=False),
        sa.Column("group_ids", JSON, nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("handback_group_id", sa.BigInteger(), nullable=True),
        sa.Column("poll_seconds", sa.Integer(), nullable=False),
        sa.Column("requests_per_minute", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("start_time", UTC, nullable=False),
        sa.Column("cursor", sa.String(length=500), nullable=True),
        sa.Column("next_pull_at", UTC, nullable=True),
        sa.Column("last_pulled_at", UTC, nullable=True),
        sa.Column("last_pushed_at", UTC, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_helpdesk_connections_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_helpdesk_connections_program_id_programs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_connections")),
        sa.UniqueConstraint(
            "brand_id", "provider", name=op.f("uq_helpdesk_connections_brand_id_provider")
        ),
    )
    op.create_table(
        "helpdesk_links",
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("external_ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("requester_id", sa.BigInteger(), nullable=False),
        sa.Column("external_updated_at", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["helpdesk_connections.id"],
            name=op.f("fk_helpdesk_links_connection_id_helpdesk_connections"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_helpdesk_links_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_links")),
        sa.UniqueConstraint(
            "connection_id",
            "external_ticket_id",
            name=op.f("uq_helpdesk_links_connection_id_external_ticket_id"),
        ),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_helpdesk_links_ticket_id")),
    )
    op.create_table(
        "helpdesk_comments",
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("link_id", sa.Uuid(), nullable=False),
        sa.Column("external_comment_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["helpdesk_connections.id"],
            name=op.f("fk_helpdesk_comments_connection_id_helpdesk_connections"),
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["helpdesk_links.id"],
            name=op.f("fk_helpdesk_comments_link_id_helpdesk_links"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_helpdesk_comments_message_id_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_comments")),
        sa.UniqueConstraint(
            "connection_id",
            "external_comment_id",
            name=op.f("uq_helpdesk_comments_connection_id_external_comment_id"),
        ),
        sa.UniqueConstraint("message_id", name=op.f("uq_helpdesk_comments_message_id")),
    )
    op.create_index(op.f("ix_helpdesk_comments_link_id"), "helpdesk_comments", ["link_id"])
    op.create_table(
        "helpdesk_syncs",
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("link_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("marker", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("done_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["helpdesk_connections.id"],
            name=op.f("fk_helpdesk_syncs_connection_id_helpdesk_connections"),
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["helpdesk_links.id"],
            name=op.f("fk_helpdesk_syncs_link_id_helpdesk_links"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_helpdesk_syncs_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_syncs")),
        sa.UniqueConstraint(
            "connection_id", "key", name=op.f("uq_helpdesk_syncs_connection_id_key")
        ),
        sa.UniqueConstraint("marker", name=op.f("uq_helpdesk_syncs_marker")),
    )
    op.create_index("ix_helpdesk_syncs_link_status", "helpdesk_syncs", ["link_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_helpdesk_syncs_link_status", table_name="helpdesk_syncs")
    op.drop_table("helpdesk_syncs")
    op.drop_index(op.f("ix_helpdesk_comments_link_id"), table_name="helpdesk_comments")
    op.drop_table("helpdesk_comments")
    op.drop_table("helpdesk_links")
    op.drop_table("helpdesk_connections")
