"""second factor, rate limits, API key scopes and expiry

Revision ID: 0023
Revises: 0024
Create Date: 2026-12-04 02:30:00.000000

users: totp_secret, totp_enabled_at, totp_last_step (an authenticator app as second factor).
recovery_codes: one-time codes that stand in for the authenticator app, stored as SHA-256.
sign_in_challenges: sign-ins waiting for their second factor.
attempts: counted attempts (failed sign-ins, contact forms) for the rate limits.
api_keys: scope (existing keys become "admin") and an optional expires_at.
brands: admins_need_second_factor.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gigcx.db.base

revision: str = "0023"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gigcx.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=16), nullable=False, server_default="admin")
        )
        batch_op.add_column(sa.Column("expires_at", UTC, nullable=True))
    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "admins_need_second_factor",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
    op.create_table(
        "recovery_codes",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"])
    op.create_table(
        "sign_in_challenges",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sign_in_challenges_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_challenges")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_challenges_token_hash")),
    )
    op.create_index(op.f("ix_sign_in_challenges_user_id"), "sign_in_challenges", ["user_id"])
    op.create_table(
        "attempts",
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
    )
    op.create_index("ix_attempts_rule_key_created", "attempts", ["rule", "key_hash", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_attempts_rule_key_created", table_name="attempts")
    op.drop_table("attempts")
    op.drop_table("sign_in_challenges")
    op.drop_table("recovery_codes")
    columns = {
        "brands": ("admins_need_second_factor",),
        "api_keys": ("expires_at", "scope"),
        "users": ("totp_last_step", "totp_enabled_at", "totp_secret"),
    }
    for table, names in columns.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in names:
                batch_op.drop_column(name)
