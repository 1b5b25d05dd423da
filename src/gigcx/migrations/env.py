from alembic import context
from sqlalchemy import Connection

from gigcx.config import get_settings
from gigcx.db.session import make_engine
from gigcx.models import metadata

config = context.config


def _enforce_foreign_keys(connection: Connection, *, enforce: bool) -> None:
    """Switch SQLite's foreign keys for a migration run on a connection of its own.

    Batch mode rebuilds a table by dropping it; with foreign keys on, that drop deletes every
    row that refers to it through ON DELETE CASCADE (a program's answers, settings, roster).
    Its final rename must not re-check the triggers of other tables that name the table being
    rebuilt (the routing roster's), hence the legacy rename while migrating. The pragmas work
    only outside a transaction, so they go to the driver's connection directly.
    """
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        return
    driver = connection.connection.dbapi_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys={'ON' if enforce else 'OFF'}")
    driver.execute(f"PRAGMA legacy_alter_table={'OFF' if enforce else 'ON'}")


def run_migrations(connection: Connection) -> None:
    _enforce_foreign_keys(connection, enforce=False)
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"the migration left rows that refer to nothing: {broken[:5]}")
    _enforce_foreign_keys(connection, enforce=True)


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as new_connection:
        run_migrations(new_connection)
    engine.dispose()


main()
