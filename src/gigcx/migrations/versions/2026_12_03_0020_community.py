"""offer alerts, missed-offer digests, announcements and expert feedback

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-03 22:52:14.258548

expert_alert_settings: how each expert wants to hear of new offers (all off by default).
offer_digests: one row per expert and digest period, so a period is mailed once.
announcements, announcement_reads: a brand's messages to a program's experts, and who read them.
expert_feedback: experts' feedback on a program or a ticket, with the brand's answer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

import gigcx.db.base

revision: str = "0020"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "expert_alert_settings",
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("is_browser_on", sa.Boolean(), nullable=False),
        sa.Column("is_sound_on", sa.Boolean(), nullable=False),
        sa.Column("is_email_on", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.String(length=16), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_expert_alert_settings_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("expert_id", name=op.f("pk_expert_alert_settings")),
    )
    op.create_table(
        "announcements",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("is_emailed", sa.Boolean(), nullable=False),
        sa.Column("emailed_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=True),
        sa.Column("retired_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_announcements_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_announcements_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_announcements_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index("ix_announcements_brand", ["brand_id", "created_at"], unique=False)
        batch_op.create_index(
            "ix_announcements_program", ["program_id", "created_at"], unique=False
        )

    op.create_table(
        "announcement_reads",
        sa.Column("announcement_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("read_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_reads_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_announcement_reads_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("announcement_id", "expert_id", name=op.f("pk_announcement_reads")),
    )
    op.create_table(
        "expert_feedback",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("answer_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_by", sa.Uuid(), nullable=True),
        sa.Column("replied_at", UTC, nullable=True),
        sa.Column("is_reply_seen", sa.Boolean(), nullable=False),
        sa.Column("closed_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["answers.id"], name=op.f("fk_expert_feedback_answer_id_answers")
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_expert_feedback_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["experts.id"], name=op.f("fk_expert_feedback_expert_id_experts")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_expert_feedback_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replied_by"], ["users.id"], name=op.f("fk_expert_feedback_replied_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_expert_feedback_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_feedback")),
    )
    with op.batch_alter_table("expert_feedback", schema=None) as batch_op:
        batch_op.create_index(
            "ix_expert_feedback_brand_status", ["brand_id", "status", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_expert_feedback_expert", ["expert_id", "created_at"], unique=False
        )

    op.create_table(
        "offer_digests",
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("period_start", UTC, nullable=False),
        sa.Column("period_end", UTC, nullable=False),
        sa.Column("offer_count", sa.Integer(), nullable=False),
        sa.Column("missed_pay", JSON, nullable=False),
        sa.Column("email_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["email_id"],
            ["outbound_emails.id"],
            name=op.f("fk_offer_digests_email_id_outbound_emails"),
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_offer_digests_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_digests")),
        sa.UniqueConstraint("expert_id", "period", name=op.f("uq_offer_digests_expert_id_period")),
    )


def downgrade() -> None:
    op.drop_table("offer_digests")
    with op.batch_alter_table("expert_feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_expert_feedback_expert")
        batch_op.drop_index("ix_expert_feedback_brand_status")

    op.drop_table("expert_feedback")
    op.drop_table("announcement_reads")
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_index("ix_announcements_program")
        batch_op.drop_index("ix_announcements_brand")

    op.drop_table("announcements")
    op.drop_table("expert_alert_settings")
