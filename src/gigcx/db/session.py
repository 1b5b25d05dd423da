"""Engines, sessions and the unit of work.

A unit of work says up front whether it writes. On SQLite a writing one begins with
``BEGIN IMMEDIATE`` (it takes the write lock at once and queues behind other writers on
``busy_timeout``), a reading one with a deferred ``BEGIN`` that neither takes nor waits for the
write lock (WAL mode lets it read beside a writer). A deferred transaction must not write after
it has read: SQLite then answers "database is locked" at once instead of waiting. On PostgreSQL
a unit of work may bound its lock waits, statements and idle time in transaction; they apply to
its transaction only (``SET LOCAL``).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from gigcx.config import get_settings

WRITES = "gigcx_writes"
_POSTGRES_TIMEOUTS = {
    "gigcx_lock_timeout": "lock_timeout",
    "gigcx_statement_timeout": "statement_timeout",
    "gigcx_idle_timeout": "idle_in_transaction_session_timeout",
}
NOT_DURABLE = "gigcx_not_durable"


def transaction_options(
    *,
    writes: bool,
    lock_timeout: float | None = None,
    statement_timeout: float | None = None,
    idle_timeout: float | None = None,
    durable: bool = True,
) -> dict[str, Any]:
    """Execution options for a session: whether it writes, and its timeouts in seconds.

    ``durable=False`` lets PostgreSQL answer a commit before its WAL reaches the disk
    (``synchronous_commit = off``), for writes that a crash of the server may lose without harm.
    """
    options: dict[str, Any] = {WRITES: writes}
    if not durable:
        options[NOT_DURABLE] = True
    for key, seconds in (
        ("gigcx_lock_timeout", lock_timeout),
        ("gigcx_statement_timeout", statement_timeout),
        ("gigcx_idle_timeout", idle_timeout),
    ):
        if seconds is not None:
            options[key] = seconds
    return options


def _prepare_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself instead of pysqlite's implicit one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    # Without a declared intent (migrations, scripts on the engine) a transaction writes.
    writes = connection.get_execution_options().get(WRITES, True)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _begin_postgres(connection: Connection) -> None:
    options = connection.get_execution_options()
    settings = [
        (name, f"{max(1, round(float(options[key]) * 1000))}ms")
        for key, name in _POSTGRES_TIMEOUTS.items()
        if options.get(key)
    ]
    if options.get(NOT_DURABLE):
        settings.append(("synchronous_commit", "off"))
    if settings:
        calls = ", ".join(f"set_config('{name}', %s, true)" for name, _ in settings)
        connection.exec_driver_sql(f"SELECT {calls}", tuple(value for _, value in settings))


# Marks an engine that reaches PostgreSQL through a pooler in transaction mode.
POOLED_OPTION = "gigcx_pooled"


def is_pooled(engine: Engine) -> bool:
    """Whether ``engine`` goes through a pooler in transaction mode (see ``make_engine``)."""
    return bool(engine.get_execution_options().get(POOLED_OPTION, False))


def make_engine(url: str, *, pool_size: int = 10, pooled: bool | None = None) -> Engine:
    """Create an engine with the settings each dialect needs.

    ``pooled`` (default: the ``database_pooled`` setting) says PostgreSQL is reached through a
    pooler in transaction mode: psycopg then never prepares statements on the server (it does
    after five runs of one query), since the next transaction may run on another server
    connection, where the prepared statement does not exist.
    """
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _prepare_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    if pooled is None:
        pooled = get_settings().database_pooled
    connect_args: dict[str, Any] = {}
    if pooled and make_url(url).get_driver_name() == "psycopg":
        connect_args["prepare_threshold"] = None
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args=connect_args,
        execution_options={POOLED_OPTION: pooled},
    )
    if engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _begin_postgres)
    return engine


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, pool_size=settings.pool_size)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    """Sessions that read unless opened with ``transaction_options(writes=True)``."""
    return sessionmaker(
        bind=get_engine(),
        expire_on_commit=False,
        execution_options=transaction_options(writes=False),
    )


def open_session(
    factory: sessionmaker[Session] | None = None,
    *,
    writes: bool,
    lock_timeout: float | None = None,
    statement_timeout: float | None = None,
    idle_timeout: float | None = None,
    durable: bool = True,
) -> Session:
    """A session whose transaction begins as declared (see the module's docstring)."""
    options = transaction_options(
        writes=writes,
        lock_timeout=lock_timeout,
        statement_timeout=statement_timeout,
        idle_timeout=idle_timeout,
        durable=durable,
    )
    return (factory or get_sessionmaker())(execution_options=options)


@contextmanager
def unit_of_work(
    factory: sessionmaker[Session] | None = None, *, writes: bool = True
) -> Iterator[Session]:
    """Open a session, commit once at the end, roll back on any error."""
    session = open_session(factory, writes=writes)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
