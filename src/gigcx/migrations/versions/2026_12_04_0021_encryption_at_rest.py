"""encryption at rest: data keys, blind indexes, and every existing value sealed

Revision ID: 0021
Revises: 0026
Create Date: 2026-12-04 02:40:00.000000

data_keys: data keys (per brand, one for rows of no brand, the blind-index root), wrapped by
a master key. customers.email_index and inbound_emails.sender_index: blind indexes (HMAC) for
lookups. Encrypted columns become text (a sealed value is longer than its clear text). Existing
values are sealed in batches; the master keys must be configured (GIGCX_ENCRYPTION_KEYS).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import gigcx.db.base
from gigcx.privacy import keys, reseal
from gigcx.privacy.sealing import Kind

revision: str = "0021"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# table -> columns made text, with their length before
_TO_TEXT = {
    "customers": {"email": 254, "name": 120, "email_undeliverable_reason": 300},
    "tickets": {"subject": 200},
    "outbound_emails": {"to_address": 254, "subject": 300},
    "inbound_emails": {"sender": 254, "subject": 300},
    "mailboxes": {"smtp_url": 500, "imap_url": 500},
    "webhook_secrets": {"secret": 100},
    "sso_configs": {"client_secret": 500},
    "helpdesk_connections": {"api_token": 200},
    "payout_methods": {"account_holder": 120, "iban": 34, "paypal_email": 254},
    "users": {"totp_secret": 64},
    "tax_profiles": {"tax_id": 64},
}
_NULLABLE = {"email_undeliverable_reason", "totp_secret"}


def _targets() -> list[reseal.Target]:
    meta = sa.MetaData()

    def table(
        name: str, *columns: sa.Column[object], id_type: sa.types.TypeEngine[Any] | None = None
    ) -> sa.Table:
        return sa.Table(
            name, meta, sa.Column("id", id_type or sa.Uuid(), primary_key=True), *columns
        )

    def text(*names: str) -> list[sa.Column[object]]:
        return [sa.Column(name, sa.Text()) for name in names]

    tickets = table(
        "tickets", sa.Column("brand_id", sa.Uuid()), *text("subject", "escalation_reason")
    )
    endpoints = table("webhook_endpoints", sa.Column("brand_id", sa.Uuid()))
    t, b, j = Kind.TEXT, Kind.BYTES, Kind.JSON

    def _brand() -> sa.Column[object]:
        return sa.Column("brand_id", sa.Uuid())

    return [
        reseal.Target(
            table(
                "customers",
                sa.Column("brand_id", sa.Uuid()),
                sa.Column("email_index", sa.String(64)),
                *text("email", "name", "email_undeliverable_reason"),
            ),
            (("email", t), ("name", t), ("email_undeliverable_reason", t)),
            brand_column="brand_id",
            blind_indexes=(("email_index", "email"),),
        ),
        reseal.Target(tickets, (("subject", t), ("escalation_reason", t)), brand_column="brand_id"),
        reseal.Target(
            table("messages", sa.Column("ticket_id", sa.Uuid()), *text("body")),
            (("body", t),),
            brand_column="ticket_id",
            parent=tickets,
        ),
        reseal.Target(
            table(
                "attachments",
                sa.Column("ticket_id", sa.Uuid()),
                sa.Column("data", sa.LargeBinary()),
            ),
            (("data", b),),
            brand_column="ticket_id",
            parent=tickets,
        ),
        reseal.Target(
            table("outbound_emails", _brand(), *text("to_address", "subject", "text_body")),
            (("to_address", t), ("subject", t), ("text_body", t)),
            brand_column="brand_id",
        ),
        reseal.Target(
            table(
                "inbound_emails",
                _brand(),
                sa.Column("sender_index", sa.String(64)),
                *text("sender", "subject"),
                sa.Column("raw", sa.LargeBinary()),
            ),
            (("sender", t), ("subject", t), ("raw", b)),
            brand_column="brand_id",
            blind_indexes=(("sender_index", "sender"),),
        ),
        reseal.Target(
            table("mailboxes", _brand(), *text("smtp_url", "imap_url")),
            (("smtp_url", t), ("imap_url", t)),
            brand_column="brand_id",
        ),
        reseal.Target(
            table("webhook_secrets", sa.Column("endpoint_id", sa.Uuid()), *text("secret")),
            (("secret", t),),
            brand_column="endpoint_id",
            parent=endpoints,
        ),
        reseal.Target(
            table("webhook_messages", _brand(), sa.Column("payload", JSON), id_type=sa.String(40)),
            (("payload", j),),
            brand_column="brand_id",
        ),
        reseal.Target(
            table("helpdesk_connections", _brand(), *text("api_token")),
            (("api_token", t),),
            brand_column="brand_id",
        ),
        reseal.Target(
            table("sso_configs", _brand(), *text("client_secret")),
            (("client_secret", t),),
            brand_column="brand_id",
        ),
        reseal.Target(
            table("chat_events", sa.Column("chat_session_id", sa.Uuid()), sa.Column("data", JSON)),
            (("data", j),),
            brand_column="chat_session_id",
            parent=table("chat_sessions", _brand()),
        ),
        reseal.Target(
            table("payout_methods", *text("account_holder", "iban", "paypal_email")),
            (("account_holder", t), ("iban", t), ("paypal_email", t)),
        ),
        reseal.Target(table("users", *text("totp_secret")), (("totp_secret", t),)),
        reseal.Target(table("tax_profiles", *text("tax_id")), (("tax_id", t),)),
        reseal.Target(
            table("privacy_requests", _brand(), sa.Column("archive", sa.LargeBinary())),
            (("archive", b),),
            brand_column="brand_id",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "data_keys",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("brand_id", sa.Uuid(), nullable=True),
        sa.Column("purpose", sa.String(length=8), nullable=False),
        sa.Column("kek_id", sa.String(length=200), nullable=False),
        sa.Column("wrapped_key", sa.Text(), nullable=False),
        sa.Column("retired_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_data_keys_brand_id_brands")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_keys")),
    )
    op.create_index(
        "ix_data_keys_brand", "data_keys", ["brand_id", "purpose", "retired_at"], unique=False
    )
    for table_name, columns in _TO_TEXT.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for column, length in columns.items():
                batch_op.alter_column(
                    column,
                    existing_type=sa.String(length=length),
                    type_=sa.Text(),
                    existing_nullable=column in _NULLABLE,
                )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_index", sa.String(length=64), nullable=True))
        batch_op.drop_constraint("uq_customers_brand_id_email", type_="unique")
    with op.batch_alter_table("inbound_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sender_index", sa.String(length=64), nullable=True))
        batch_op.drop_index("ix_inbound_emails_sender")

    connection = op.get_bind()
    resealer = reseal.Resealer(connection)
    keys.index_root(connection)
    for target in _targets():
        resealer.run(target, reseal.is_clear)
    connection.execute(
        sa.text("UPDATE inbound_emails SET sender_index = '' WHERE sender_index IS NULL")
    )

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.alter_column("email_index", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(
            op.f("uq_customers_brand_id_email_index"), ["brand_id", "email_index"]
        )
    with op.batch_alter_table("inbound_emails", schema=None) as batch_op:
        batch_op.alter_column("sender_index", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(
            "ix_inbound_emails_sender", ["mailbox_id", "sender_index", "created_at"], unique=False
        )


def downgrade() -> None:
    connection = op.get_bind()
    for target in _targets():
        reseal.open_all(connection, target)
    with op.batch_alter_table("inbound_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_emails_sender")
        batch_op.drop_column("sender_index")
        batch_op.create_index(
            "ix_inbound_emails_sender", ["mailbox_id", "sender", "created_at"], unique=False
        )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_constraint("uq_customers_brand_id_email_index", type_="unique")
        batch_op.drop_column("email_index")
        batch_op.create_unique_constraint(
            op.f("uq_customers_brand_id_email"), ["brand_id", "email"]
        )
    for table_name, columns in _TO_TEXT.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for column, length in columns.items():
                batch_op.alter_column(
                    column,
                    existing_type=sa.Text(),
                    type_=sa.String(length=length),
                    existing_nullable=column in _NULLABLE,
                )
    op.drop_index("ix_data_keys_brand", table_name="data_keys")
    op.drop_table("data_keys")
