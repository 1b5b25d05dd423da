"""inbound mail

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 23:50:00.000000

inbound_emails: every mail that came into a mailbox (IMAP, raw MIME endpoint, LMTP), kept as
received, with what became of it; unique per mailbox by Message-ID (or by its bytes).
customers.email_undeliverable(_reason): a mail to the customer bounced for good.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gigcx.db.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbound_emails",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("mailbox_id", sa.Uuid(), nullable=False),
        sa.Column("dedup_key", sa.String(length=64), nullable=False),
        sa.Column("header_message_id", sa.String(length=255), nullable=True),
        sa.Column("sender", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("transport", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("may_acknowledge", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_inbound_emails_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["mailbox_id"], ["mailboxes.id"], name=op.f("fk_inbound_emails_mailbox_id_mailboxes")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_inbound_emails_ticket_id_tickets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_inbound_emails_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_emails")),
        sa.UniqueConstraint(
            "mailbox_id", "dedup_key", name=op.f("uq_inbound_emails_mailbox_id_dedup_key")
        ),
    )
    op.create_index(
        op.f("ix_inbound_emails_header_message_id"), "inbound_emails", ["header_message_id"]
    )
    op.create_index(op.f("ix_inbound_emails_ticket_id"), "inbound_emails", ["ticket_id"])
    op.create_index(
        "ix_inbound_emails_sender", "inbound_emails", ["mailbox_id", "sender", "created_at"]
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_undeliverable", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("email_undeliverable_reason", sa.String(length=300), nullable=True)
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE customers DROP COLUMN email_undeliverable_reason")
        op.execute("ALTER TABLE customers DROP COLUMN email_undeliverable")
    else:
        op.drop_column("customers", "email_undeliverable_reason")
        op.drop_column("customers", "email_undeliverable")
    op.drop_index("ix_inbound_emails_sender", table_name="inbound_emails")
    op.drop_index(op.f("ix_inbound_emails_ticket_id"), table_name="inbound_emails")
    op.drop_index(op.f("ix_inbound_emails_header_message_id"), table_name="inbound_emails")
    op.drop_table("inbound_emails")
