"""answers carry a language and a bot slot; triage keeps the customer's topic

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:00:00.000000
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _languages(value: Any) -> list[str]:
    if isinstance(value, str):
        value = json.loads(value)
    return [str(code).lower() for code in value or []] or ["en"]


def _fill_answer_languages(connection: sa.Connection) -> None:
    """Each existing answer gets the program language it reads as, else the program's first."""
    from gigcx.ai import language

    programs = {
        row.id: _languages(row.languages)
        for row in connection.execute(sa.text("SELECT id, languages FROM programs"))
    }
    answers = connection.execute(sa.text("SELECT id, program_id, title, body FROM answers")).all()
    for row in answers:
        served = programs.get(row.program_id, ["en"])
        found = language.detect(f"{row.title}. {row.body}", served) if len(served) > 1 else ""
        code = found if found in served else served[0]
        connection.execute(
            sa.text("UPDATE answers SET language = :code WHERE id = :id"),
            {"code": code, "id": row.id},
        )


def _fill_bot_slots(connection: sa.Connection) -> None:
    """The answer the bot used so far (the newest approved one) keeps each slot."""
    rows = connection.execute(
        sa.text(
            "SELECT id, program_id, intent, language FROM answers "
            "WHERE status = 'approved' AND kind = 'answer' AND intent IS NOT NULL "
            "ORDER BY reviewed_at DESC, created_at DESC"
        )
    ).all()
    taken: set[tuple[Any, str, str]] = set()
    for row in rows:
        slot = (row.program_id, row.intent, row.language)
        if slot in taken:
            continue
        taken.add(slot)
        connection.execute(
            sa.text("UPDATE answers SET is_bot_answer = :yes WHERE id = :id"),
            {"yes": True, "id": row.id},
        )


def upgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column("is_bot_answer", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("removals", JSON_TYPE, nullable=False, server_default=sa.text("'[]'"))
        )
    _fill_answer_languages(connection)
    _fill_bot_slots(connection)
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.alter_column("language", existing_type=sa.String(length=8), nullable=False)
        batch_op.alter_column("is_bot_answer", server_default=None)
        batch_op.alter_column("removals", server_default=None)
        batch_op.create_unique_constraint(
            batch_op.f("uq_answers_source_ticket_id_author_expert_id"),
            ["source_ticket_id", "author_expert_id"],
        )
        batch_op.create_index(
            "uq_answers_bot_slot",
            ["program_id", "intent", "language"],
            unique=True,
            sqlite_where=sa.text("is_bot_answer"),
            postgresql_where=sa.text("is_bot_answer"),
        )

    with op.batch_alter_table("triages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chosen_category", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("is_topic_disputed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("bot_skip_reason", sa.String(length=32), nullable=True))
    with op.batch_alter_table("triages", schema=None) as batch_op:
        batch_op.alter_column("is_topic_disputed", server_default=None)

    with op.batch_alter_table("assist_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "topic_override_confidence",
                sa.Double(),
                nullable=False,
                server_default=sa.text("0.9"),
            )
        )
    with op.batch_alter_table("assist_settings", schema=None) as batch_op:
        batch_op.alter_column("topic_override_confidence", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("assist_settings", schema=None) as batch_op:
        batch_op.drop_column("topic_override_confidence")
    with op.batch_alter_table("triages", schema=None) as batch_op:
        batch_op.drop_column("bot_skip_reason")
        batch_op.drop_column("is_topic_disputed")
        batch_op.drop_column("chosen_category")
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index("uq_answers_bot_slot")
        batch_op.drop_constraint(
            batch_op.f("uq_answers_source_ticket_id_author_expert_id"), type_="unique"
        )
        batch_op.drop_column("removals")
        batch_op.drop_column("is_bot_answer")
        batch_op.drop_column("language")
