"""live chat: widgets, chat sessions and their events

Revision ID: 0017
Revises: 0018
Create Date: 2026-12-03 23:20:00.000000

chat_widgets: a brand's widget (public key, allowed origins, pre-chat fields, answer time).
chat_sessions: one visitor's chat and its ticket, with typing, "seen" and email continuation.
chat_events: what a chat's widget is told, numbered per chat for resuming streams.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import gigcx.db.base

revision: str = "0017"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "chat_widgets",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("public_key", sa.String(length=40), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("allowed_origins", JSON, nullable=False),
        sa.Column("asks_name", sa.Boolean(), nullable=False),
        sa.Column("asks_topic", sa.Boolean(), nullable=False),
        sa.Column("answer_seconds", sa.Integer(), nullable=False),
        sa.Column("offline_message", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_chat_widgets_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_chat_widgets_program_id_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_widgets")),
        sa.UniqueConstraint("brand_id", name=op.f("uq_chat_widgets_brand_id")),
        sa.UniqueConstraint("public_key", name=op.f("uq_chat_widgets_public_key")),
    )
    op.create_table(
        "chat_sessions",
        sa.Column("widget_id", sa.Uuid(), nullable=False),
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("ip_hash", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("link_base", sa.String(length=300), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("visitor_typing_until", UTC, nullable=True),
        sa.Column("expert_typing_until", UTC, nullable=True),
        sa.Column("typing_expert_id", sa.Uuid(), nullable=True),
        sa.Column("visitor_seen_seq", sa.Integer(), nullable=False),
        sa.Column("visitor_active_at", UTC, nullable=False),
        sa.Column("continue_by_email", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_chat_sessions_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_chat_sessions_ticket_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["typing_expert_id"],
            ["experts.id"],
            name=op.f("fk_chat_sessions_typing_expert_id_experts"),
        ),
        sa.ForeignKeyConstraint(
            ["widget_id"], ["chat_widgets.id"], name=op.f("fk_chat_sessions_widget_id_chat_widgets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_sessions")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_chat_sessions_ticket_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_chat_sessions_token_hash")),
    )
    op.create_index("ix_chat_sessions_ip_created", "chat_sessions", ["ip_hash", "created_at"])
    op.create_index("ix_chat_sessions_widget_created", "chat_sessions", ["widget_id", "created_at"])
    op.create_table(
        "chat_events",
        sa.Column("chat_session_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("is_from_visitor", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("data", JSON, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_session_id"],
            ["chat_sessions.id"],
            name=op.f("fk_chat_events_chat_session_id_chat_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_chat_events_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_events")),
        sa.UniqueConstraint(
            "chat_session_id",
            "idempotency_key",
            name=op.f("uq_chat_events_chat_session_id_idempotency_key"),
        ),
        sa.UniqueConstraint(
            "chat_session_id", "message_id", name=op.f("uq_chat_events_chat_session_id_message_id")
        ),
        sa.UniqueConstraint(
            "chat_session_id", "seq", name=op.f("uq_chat_events_chat_session_id_seq")
        ),
    )


def downgrade() -> None:
    op.drop_table("chat_events")
    op.drop_index("ix_chat_sessions_widget_created", table_name="chat_sessions")
    op.drop_index("ix_chat_sessions_ip_created", table_name="chat_sessions")
    op.drop_table("chat_sessions")
    op.drop_table("chat_widgets")
