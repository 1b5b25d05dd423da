"""views: offers freeze their pay basis; card numbers are never stored in clear

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00

offers.pay_basis holds what an offer's task pays, frozen when the offer is made (the ticket's
category, complexity and language, the moment and the rate-card line); offers made before it
are priced from their ticket at the offer's moment. ix_assignments_expert_ticket finds the
tickets an expert held (what they may still read).

Every stored free text that may hold a card number (messages, subjects, escalation reasons,
rating and review comments, appeals, calibration notes, answers, bot replies, earning
descriptions) has each Luhn-valid card number replaced by ``[card ending 1234]``, and triage
keeps personal-data spans as kind and offsets only (found again in the rewritten first message),
never their text. The rewrite cannot be undone: the downgrade only drops the column.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from gigcx.privacy import pii

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TEXTS = {
    "messages": ("body",),
    "tickets": ("subject", "escalation_reason"),
    "ratings": ("comment",),
    "reviews": ("comment",),
    "disputes": ("reason", "decision_reason"),
    "calibrations": ("note",),
    "answers": ("title", "body"),
    "bot_attempts": ("body",),
    "earnings": ("description",),
}
BATCH = 1000


def _redact_table(connection: sa.Connection, name: str, columns: Sequence[str]) -> None:
    table = sa.table(name, sa.column("id", sa.Uuid()), *(sa.column(c, sa.Text()) for c in columns))
    changed: list[dict[str, Any]] = []
    rows = connection.execute(sa.select(table.c.id, *(table.c[c] for c in columns)))
    for row in rows:
        values = {c: getattr(row, c) for c in columns}
        redacted = {c: pii.redact_cards(v) if isinstance(v, str) else v for c, v in values.items()}
        if redacted != values:
            changed.append({"row_id": row.id, **redacted})
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values({c: sa.bindparam(c) for c in columns})
    )
    for start in range(0, len(changed), BATCH):
        connection.execute(update, changed[start : start + BATCH])


def _respan_triages(connection: sa.Connection) -> None:
    triages = sa.table(
        "triages",
        sa.column("id", sa.Uuid()),
        sa.column("ticket_id", sa.Uuid()),
        sa.column("pii", JSON),
    )
    tickets = sa.table("tickets", sa.column("id", sa.Uuid()), sa.column("customer_id", sa.Uuid()))
    customers = sa.table("customers", sa.column("id", sa.Uuid()), sa.column("name", sa.String()))
    messages = sa.table(
        "messages",
        sa.column("ticket_id", sa.Uuid()),
        sa.column("author_kind", sa.String()),
        sa.column("body", sa.Text()),
        sa.column("created_at", sa.DateTime()),
    )
    rows = connection.execute(
        sa.select(triages.c.id, triages.c.ticket_id, customers.c.name)
        .join(tickets, tickets.c.id == triages.c.ticket_id)
        .join(customers, customers.c.id == tickets.c.customer_id)
    ).all()
    changed = []
    for triage_id, ticket_id, name in rows:
        first = connection.scalar(
            sa.select(messages.c.body)
            .where(messages.c.ticket_id == ticket_id, messages.c.author_kind == "customer")
            .order_by(messages.c.created_at)
            .limit(1)
        )
        spans = pii.find(first or "", known_names=[name] if name else [])
        changed.append({"row_id": triage_id, "pii": [span.as_dict() for span in spans]})
    update = (
        triages.update()
        .where(triages.c.id == sa.bindparam("row_id"))
        .values(pii=sa.bindparam("pii"))
    )
    for start in range(0, len(changed), BATCH):
        connection.execute(update, changed[start : start + BATCH])


def upgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pay_basis", JSON, nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index("ix_assignments_expert_ticket", ["expert_id", "ticket_id"])
    connection = op.get_bind()
    for name, columns in TEXTS.items():
        _redact_table(connection, name, columns)
    _respan_triages(connection)


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_expert_ticket")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_column("pay_basis")
