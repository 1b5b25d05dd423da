"""demo brands

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 19:30:00.000000

brands.is_demo: the demo's simulated experts and customers work on demo brands only. Brands the
demo seeded earlier (its admins' addresses are on the reserved .example domain) are marked.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEMO_BRANDS = {"alpenglow": "admin@alpenglow.example", "lumen": "admin@lumen.example"}


def upgrade() -> None:
    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    brands = sa.table("brands", sa.column("id"), sa.column("slug"), sa.column("is_demo"))
    users = sa.table("users", sa.column("brand_id"), sa.column("email"))
    for slug, admin_email in DEMO_BRANDS.items():
        seeded_by_the_demo = sa.exists().where(
            users.c.brand_id == brands.c.id, users.c.email == admin_email
        )
        op.execute(
            brands.update()
            .where(brands.c.slug == slug, seeded_by_the_demo)
            .values(is_demo=sa.true())
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE brands DROP COLUMN is_demo")
        return
    op.drop_column("brands", "is_demo")
