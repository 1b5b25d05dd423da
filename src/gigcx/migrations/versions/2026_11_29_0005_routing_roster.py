"""routing: the routing roster and a covering index on experts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 10:20:00

ix_experts_routing holds what routing reads of each eligible expert (presence and idle times),
so the eligibility query reads it without the table rows.

routing_roster copies what eligibility reads, one row per active enrollment of an available
expert, language, skill and channel with capacity (see gigcx.experts.roster); it is filled here
from the existing rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gigcx.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


BACKFILL = """
INSERT INTO routing_roster (program_id, expert_id, language, skill, channel, level, proficiency,
                            capacity, quality_score, certified_until)
SELECT e.program_id, e.expert_id, l.language, s.skill, c.channel, s.level, l.proficiency,
       c.max_concurrent, e.quality_score, e.certified_until
FROM enrollments e
JOIN experts x ON x.id = e.expert_id
JOIN expert_languages l ON l.expert_id = e.expert_id
JOIN expert_skills s ON s.expert_id = e.expert_id
JOIN expert_capacities c ON c.expert_id = e.expert_id AND c.max_concurrent > 0
WHERE e.status = 'active' AND x.presence = 'available'
"""


def upgrade() -> None:
    op.create_table(
        "routing_roster",
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("skill", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("proficiency", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("quality_score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("certified_until", gigcx.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_routing_roster_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_routing_roster_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "expert_id",
            "program_id",
            "language",
            "skill",
            "channel",
            name=op.f("pk_routing_roster"),
        ),
    )
    op.create_index(
        "ix_routing_roster_match",
        "routing_roster",
        [
            "program_id",
            "language",
            "skill",
            "channel",
            "level",
            "expert_id",
            "proficiency",
            "capacity",
            "quality_score",
            "certified_until",
        ],
    )
    op.execute(BACKFILL)
    with op.batch_alter_table("experts") as batch_op:
        batch_op.create_index(
            "ix_experts_routing", ["id", "presence", "presence_changed_at", "last_assigned_at"]
        )


def downgrade() -> None:
    op.drop_index("ix_routing_roster_match", table_name="routing_roster")
    op.drop_table("routing_roster")
    with op.batch_alter_table("experts") as batch_op:
        batch_op.drop_index("ix_experts_routing")
