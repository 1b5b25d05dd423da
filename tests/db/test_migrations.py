"""The migrations build exactly the schema the models describe (Alembic's autogenerate compare).

The test database is built by running the migrations (tests/conftest.py), on SQLite and, in the
PostgreSQL lane, on PostgreSQL.
"""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Connection, MetaData, String

from gigcx.models import metadata


def drift(connection: Connection, target: MetaData) -> list[Any]:
    """What autogenerate would write into a new migration to make the database match."""
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "render_as_batch": connection.dialect.name == "sqlite"},
    )
    return list(compare_metadata(context, target))


def test_the_migrations_build_the_schema_the_models_describe(connection: Connection) -> None:
    differences = drift(connection, metadata)

    assert differences == [], "the models and the migrations differ (write a migration):\n" + (
        "\n".join(map(str, differences))
    )


def test_the_check_sees_a_column_that_no_migration_adds(connection: Connection) -> None:
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["brands"].append_column(Column("motto", String(80), nullable=True))

    differences = drift(connection, changed)

    assert [(d[0], d[2], d[3].name) for d in differences] == [("add_column", "brands", "motto")]
