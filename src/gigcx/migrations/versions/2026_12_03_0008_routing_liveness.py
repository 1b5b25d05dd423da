"""routing: roster triggers, queue aging, reopened tickets, lapsed offers

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-03 09:00:00

routing_roster is kept in step by triggers on the tables it copies (see gigcx.routing.roster):
every insert, delete and update of a routing input rewrites the rows of each expert it touched,
whoever writes, also with bulk statements. The roster is rebuilt once here, so drift left by
earlier code is repaired.

programs.aging_seconds: each interval a queued ticket waits counts as one priority step.
tickets.reopened_at: the latest follow-up that reopened a resolved ticket (its max-wait and
resolution clocks run again from there).
experts.offers_lapsed_in_a_row: offers the expert let lapse since they last answered one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gigcx.db.base

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROSTER_COLUMNS = (
    "program_id, expert_id, language, skill, channel, level, proficiency, capacity, "
    "quality_score, certified_until"
)
# What the roster must hold; each use appends a condition on e.expert_id.
ROSTER_SOURCE = """
SELECT e.program_id, e.expert_id, l.language, s.skill, c.channel, s.level, l.proficiency,
       c.max_concurrent, e.quality_score, e.certified_until
FROM enrollments e
JOIN experts x ON x.id = e.expert_id
JOIN expert_languages l ON l.expert_id = e.expert_id
JOIN expert_skills s ON s.expert_id = e.expert_id
JOIN expert_capacities c ON c.expert_id = e.expert_id AND c.max_concurrent > 0
WHERE e.status = 'active' AND x.presence = 'available'
"""
# Per table: its expert column and the columns whose change can change the roster.
TRACKED = {
    "experts": ("id", ("id", "presence")),
    "enrollments": (
        "expert_id",
        ("expert_id", "program_id", "status", "quality_score", "certified_until"),
    ),
    "expert_languages": ("expert_id", ("expert_id", "language", "proficiency")),
    "expert_skills": ("expert_id", ("expert_id", "skill", "level")),
    "expert_capacities": ("expert_id", ("expert_id", "channel", "max_concurrent")),
}
# Children whose inserts and deletes matter (a new or deleted expert row has no roster rows:
# its enrollments reference it, and the roster's foreign key cascades).
CHILDREN = ("enrollments", "expert_languages", "expert_skills", "expert_capacities")

POSTGRES_FUNCTIONS = (
    f"""
CREATE FUNCTION routing_roster_refresh(expert_ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF expert_ids IS NULL OR cardinality(expert_ids) = 0 THEN
        RETURN;
    END IF;
    -- Experts first: two transactions changing one expert rewrite its rows one after the other,
    -- the second from what the first committed (each statement below reads anew). NO KEY: an
    -- offer or assignment being written for the expert (a foreign key check) need not wait.
    PERFORM 1 FROM experts WHERE id = ANY (expert_ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM routing_roster WHERE expert_id = ANY (expert_ids);
    INSERT INTO routing_roster ({ROSTER_COLUMNS})
    {ROSTER_SOURCE} AND e.expert_id = ANY (expert_ids);
END
$$
""",
    """
CREATE FUNCTION routing_roster_rows_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM routing_roster_refresh(ARRAY(SELECT DISTINCT expert_id FROM changed_rows));
    RETURN NULL;
END
$$
""",
    """
CREATE FUNCTION routing_roster_row_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM routing_roster_refresh(ARRAY[OLD.expert_id, NEW.expert_id]);
    RETURN NULL;
END
$$
""",
    """
CREATE FUNCTION routing_roster_expert_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM routing_roster_refresh(ARRAY[OLD.id, NEW.id]);
    RETURN NULL;
END
$$
""",
    f"""
CREATE FUNCTION routing_roster_rebuild() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM routing_roster;
    INSERT INTO routing_roster ({ROSTER_COLUMNS}) {ROSTER_SOURCE};
    RETURN NULL;
END
$$
""",
)


def _changed(columns: Sequence[str], old: str = "OLD", new: str = "NEW") -> str:
    return " OR ".join(f"{old}.{c} IS DISTINCT FROM {new}.{c}" for c in columns)


def postgres_triggers() -> list[str]:
    statements = []
    for table, (expert_column, columns) in TRACKED.items():
        function = (
            "routing_roster_expert_updated"
            if expert_column == "id"
            else "routing_roster_row_updated"
        )
        statements.append(
            f"CREATE TRIGGER routing_roster_{table}_update AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table} FOR EACH ROW WHEN ({_changed(columns)}) EXECUTE FUNCTION {function}()"
        )
        statements.append(
            f"CREATE TRIGGER routing_roster_{table}_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION routing_roster_rebuild()"
        )
    for table in CHILDREN:
        for event, transition in (("insert", "NEW"), ("delete", "OLD")):
            statements.append(
                f"CREATE TRIGGER routing_roster_{table}_{event} AFTER {event.upper()} ON {table} "
                f"REFERENCING {transition} TABLE AS changed_rows FOR EACH STATEMENT "
                "EXECUTE FUNCTION routing_roster_rows_changed()"
            )
    return statements


def _sqlite_refresh(ids: str) -> str:
    return (
        f"DELETE FROM routing_roster WHERE expert_id IN ({ids}); "
        f"INSERT INTO routing_roster ({ROSTER_COLUMNS}) {ROSTER_SOURCE} "
        f"AND e.expert_id IN ({ids});"
    )


def _sqlite_changed(columns: Sequence[str]) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


def sqlite_triggers() -> list[str]:
    statements = []
    for table, (expert_column, columns) in TRACKED.items():
        ids = f"OLD.{expert_column}, NEW.{expert_column}"
        statements.append(
            f"CREATE TRIGGER routing_roster_{table}_update AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table} FOR EACH ROW WHEN {_sqlite_changed(columns)} "
            f"BEGIN {_sqlite_refresh(ids)} END"
        )
    for table in CHILDREN:
        for event, row in (("insert", "NEW"), ("delete", "OLD")):
            statements.append(
                f"CREATE TRIGGER routing_roster_{table}_{event} AFTER {event.upper()} ON {table} "
                f"FOR EACH ROW BEGIN {_sqlite_refresh(f'{row}.expert_id')} END"
            )
    return statements


def upgrade() -> None:
    with op.batch_alter_table("experts") as batch_op:
        batch_op.add_column(
            sa.Column("offers_lapsed_in_a_row", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("programs") as batch_op:
        batch_op.add_column(
            sa.Column("aging_seconds", sa.Integer(), nullable=False, server_default="600")
        )
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(
            sa.Column("reopened_at", gigcx.db.base.UTCDateTime(timezone=True), nullable=True)
        )

    # After the table changes above: on SQLite a rebuilt table loses its triggers.
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_FUNCTIONS:
            op.execute(statement)
        for statement in postgres_triggers():
            op.execute(statement)
    else:
        for statement in sqlite_triggers():
            op.execute(statement)
    op.execute("DELETE FROM routing_roster")
    op.execute(f"INSERT INTO routing_roster ({ROSTER_COLUMNS}) {ROSTER_SOURCE}")


def downgrade() -> None:
    is_postgres = op.get_bind().dialect.name == "postgresql"
    for table in TRACKED:
        for event in ("insert", "delete", "update", "truncate"):
            name = f"routing_roster_{table}_{event}"
            if is_postgres:
                op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
    if is_postgres:
        for function in (
            "routing_roster_rows_changed()",
            "routing_roster_row_updated()",
            "routing_roster_expert_updated()",
            "routing_roster_rebuild()",
            "routing_roster_refresh(uuid[])",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_column("reopened_at")
    with op.batch_alter_table("programs") as batch_op:
        batch_op.drop_column("aging_seconds")
    with op.batch_alter_table("experts") as batch_op:
        batch_op.drop_column("offers_lapsed_in_a_row")
