"""enrollment paused by

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        # Pauses made before this column stay without one: either side may resume those.
        batch_op.add_column(sa.Column("paused_by", sa.String(length=16), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # In place: a batch rebuild of the table would drop the routing roster's triggers on it.
        op.execute("ALTER TABLE enrollments DROP COLUMN paused_by")
        return
    op.drop_column("enrollments", "paused_by")
