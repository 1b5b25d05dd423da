"""routing: routing_changes, the log that keeps each process's in-memory roster fresh

Revision ID: 0031
Revises: 0028
Create Date: 2026-12-04 18:00:00.000000

Every change to what routing reads of an expert writes the expert's id to routing_changes, in the
statement that makes it, whoever writes: the roster rows (eligibility, levels, capacity, quality),
assignments (open or ended), offers (pending or answered) and the expert's idle clock
(experts.last_assigned_at, experts.presence_changed_at). gigcx.routing.memory reads the log to
know whose data to read again. A later migration that rebuilds one of these tables on SQLite
(batch_alter_table) must create its triggers again (``sqlite_triggers``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gigcx.db.base

revision: str = "0031"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What changed, so a reader reads only that again (gigcx.routing.memory).
ROSTER_KIND, LOAD_KIND, IDLE_KIND = 1, 2, 3
# Per table: the expert column, the columns whose update changes what routing reads, the kind.
ROW_TABLES = {
    "assignments": ("expert_id", ("expert_id", "channel", "ended_at"), LOAD_KIND),
    "offers": ("expert_id", ("expert_id", "status"), LOAD_KIND),
    "experts": ("id", ("last_assigned_at", "presence_changed_at"), IDLE_KIND),
}
ROSTER = "routing_roster"
LOG = "INSERT INTO routing_changes (expert_id, kind)"


def postgres_statements() -> list[str]:
    kind = "TG_ARGV[0]::smallint"
    statements = [
        f"""
CREATE FUNCTION routing_changes_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {LOG} SELECT DISTINCT expert_id, {kind} FROM changed_rows;
    RETURN NULL;
END
$$
""",
        f"""
CREATE FUNCTION routing_changes_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        {LOG} VALUES (OLD.expert_id, {kind});
    ELSE
        {LOG} VALUES (NEW.expert_id, {kind});
        IF TG_OP = 'UPDATE' AND OLD.expert_id IS DISTINCT FROM NEW.expert_id THEN
            {LOG} VALUES (OLD.expert_id, {kind});
        END IF;
    END IF;
    RETURN NULL;
END
$$
""",
        f"""
CREATE FUNCTION routing_changes_expert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {LOG} VALUES (NEW.id, {kind});
    RETURN NULL;
END
$$
""",
    ]
    for event, transition in (("insert", "NEW"), ("delete", "OLD"), ("update", "NEW")):
        statements.append(
            f"CREATE TRIGGER routing_changes_{ROSTER}_{event} AFTER {event.upper()} ON {ROSTER} "
            f"REFERENCING {transition} TABLE AS changed_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION routing_changes_rows('{ROSTER_KIND}')"
        )
    for table, (column, columns, kind_value) in ROW_TABLES.items():
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        function = "routing_changes_expert" if column == "id" else "routing_changes_row"
        statements.append(
            f"CREATE TRIGGER routing_changes_{table}_update AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table} FOR EACH ROW WHEN ({changed}) "
            f"EXECUTE FUNCTION {function}('{kind_value}')"
        )
        if column != "id":
            for event in ("insert", "delete"):
                statements.append(
                    f"CREATE TRIGGER routing_changes_{table}_{event} AFTER {event.upper()} "
                    f"ON {table} FOR EACH ROW EXECUTE FUNCTION {function}('{kind_value}')"
                )
    return statements


def sqlite_triggers() -> list[str]:
    statements = []
    tables = {ROSTER: ("expert_id", None, ROSTER_KIND), **ROW_TABLES}
    for table, (column, columns, kind) in tables.items():
        if columns is None:
            update, when = "UPDATE", ""
        else:
            update = f"UPDATE OF {', '.join(columns)}"
            when = "WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        body = f"{LOG} VALUES (NEW.{column}, {kind});"
        if column != "id":
            body += f" {LOG} SELECT OLD.{column}, {kind} WHERE OLD.{column} IS NOT NEW.{column};"
        statements.append(
            f"CREATE TRIGGER routing_changes_{table}_update AFTER {update} ON {table} "
            f"FOR EACH ROW {when} BEGIN {body} END"
        )
        if column != "id":
            for event, row in (("insert", "NEW"), ("delete", "OLD")):
                statements.append(
                    f"CREATE TRIGGER routing_changes_{table}_{event} AFTER {event.upper()} "
                    f"ON {table} FOR EACH ROW BEGIN {LOG} VALUES ({row}.{column}, {kind}); END"
                )
    return statements


def upgrade() -> None:
    op.create_table(
        "routing_changes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column(
            "changed_at",
            gigcx.db.base.UTCDateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_changes")),
        sqlite_autoincrement=True,
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in postgres_statements():
            op.execute(statement)
    else:
        for statement in sqlite_triggers():
            op.execute(statement)


def downgrade() -> None:
    is_postgres = op.get_bind().dialect.name == "postgresql"
    for table in (ROSTER, *ROW_TABLES):
        for event in ("insert", "delete", "update"):
            name = f"routing_changes_{table}_{event}"
            on = f" ON {table}" if is_postgres else ""
            op.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
    if is_postgres:
        for function in ("rows", "row", "expert"):
            op.execute(f"DROP FUNCTION IF EXISTS routing_changes_{function}()")
    op.drop_table("routing_changes")
