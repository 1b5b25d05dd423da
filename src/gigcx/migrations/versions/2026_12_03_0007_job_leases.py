"""job leases and dead letters

Revision ID: 0007
Revises: 0010
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gigcx.db.base

revision: str = "0007"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_by", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("lease_expires_at", gigcx.db.base.UTCDateTime(timezone=True), nullable=True)
        )
    # Jobs that used up their attempts are dead letters now.
    op.execute("UPDATE jobs SET status = 'dead' WHERE status = 'failed'")


def downgrade() -> None:
    # A claimed job goes back to the queue: the old runner knew no leases.
    op.execute("UPDATE jobs SET status = 'queued' WHERE status = 'running'")
    op.execute("UPDATE jobs SET status = 'failed' WHERE status = 'dead'")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("locked_by")
