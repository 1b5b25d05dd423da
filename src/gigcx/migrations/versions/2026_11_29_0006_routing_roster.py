"""routing: covering indexes for the eligibility query

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-29 10:20:00

Routing reads, for each of a program's active enrollments, the expert's presence and idle times,
the language proficiency, the skill level and the channel capacity. These indexes hold those
columns, so the eligibility query reads indexes only and never the table rows.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enrollments") as batch_op:
        batch_op.drop_index("ix_enrollments_program_status")
        batch_op.create_index(
            "ix_enrollments_program_status",
            ["program_id", "status", "expert_id", "quality_score", "certified_until"],
        )
    with op.batch_alter_table("expert_languages") as batch_op:
        batch_op.drop_index("ix_expert_languages_language")
        batch_op.create_index(
            "ix_expert_languages_language", ["language", "expert_id", "proficiency"]
        )
    with op.batch_alter_table("expert_skills") as batch_op:
        batch_op.create_index("ix_expert_skills_level", ["expert_id", "skill", "level"])
    with op.batch_alter_table("expert_capacities") as batch_op:
        batch_op.create_index(
            "ix_expert_capacities_max", ["expert_id", "channel", "max_concurrent"]
        )
    with op.batch_alter_table("experts") as batch_op:
        batch_op.create_index(
            "ix_experts_routing", ["id", "presence", "presence_changed_at", "last_assigned_at"]
        )


def downgrade() -> None:
    with op.batch_alter_table("experts") as batch_op:
        batch_op.drop_index("ix_experts_routing")
    with op.batch_alter_table("expert_capacities") as batch_op:
        batch_op.drop_index("ix_expert_capacities_max")
    with op.batch_alter_table("expert_skills") as batch_op:
        batch_op.drop_index("ix_expert_skills_level")
    with op.batch_alter_table("expert_languages") as batch_op:
        batch_op.drop_index("ix_expert_languages_language")
        batch_op.create_index("ix_expert_languages_language", ["language", "expert_id"])
    with op.batch_alter_table("enrollments") as batch_op:
        batch_op.drop_index("ix_enrollments_program_status")
        batch_op.create_index("ix_enrollments_program_status", ["program_id", "status"])
