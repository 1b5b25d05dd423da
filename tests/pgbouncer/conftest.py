"""The pooled lane: the app on PostgreSQL through PgBouncer in transaction pooling mode.

It runs when the PostgreSQL lane does (GIGCX_TEST_DATABASE_URL) and PgBouncer is installed;
each run gets a database of its own, migrated through the pooler, so what runs here commits.
"""

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gigcx.db import migrate
from gigcx.db.session import make_engine, transaction_options
from tests.servers.pgbouncer import PgBouncer, pgbouncer

__all__ = ["pgbouncer"]


@pytest.fixture(scope="session")
def pooled_database(pgbouncer: PgBouncer) -> Iterator[str]:
    """Create ``gigcx_pool_<random>`` on the server; yield its name; drop it afterwards."""
    admin_url = pgbouncer.server_url.set(drivername="postgresql", database="postgres")
    admin = admin_url.render_as_string(hide_password=False)
    name = f"gigcx_pool_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def pooled_engine(pgbouncer: PgBouncer, pooled_database: str) -> Iterator[Engine]:
    """An engine through the pooler as production makes it (GIGCX_DATABASE_POOLED=1), migrated."""
    engine = make_engine(pgbouncer.url(pooled_database), pool_size=4, pooled=True)
    with engine.begin() as connection:
        migrate.upgrade(connection=connection)
    yield engine
    engine.dispose()


@pytest.fixture
def pooled_factory(pooled_engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(
        bind=pooled_engine,
        expire_on_commit=False,
        execution_options=transaction_options(writes=False),
    )
