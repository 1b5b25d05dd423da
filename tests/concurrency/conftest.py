"""A PostgreSQL database of its own per test, so what runs here commits for real."""

import os
import threading
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from gigcx.db import migrate

TEST_DATABASE_URL = os.environ.get("GIGCX_TEST_DATABASE_URL", "")
POLL_SECONDS = 0.02
SAFETY_NET_POLLS = 30_000  # ten minutes of polls at the least: a hang, never a slow machine


@pytest.fixture
def committing_database_url() -> Iterator[str]:
    """Create and migrate ``gigcx_race_<random>`` on the lane's server; drop it afterwards."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip(
            "needs real commits on PostgreSQL; set "
            "GIGCX_TEST_DATABASE_URL=postgresql+psycopg://... to run it"
        )
    server = make_url(TEST_DATABASE_URL)
    admin_url = server.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    name = f"gigcx_race_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def backends_waiting(factory: sessionmaker[Session], *, on: str = "Lock") -> list[str]:
    """What the other connections of this database wait on (``wait_event``), for ``on`` waits."""
    statement = text(
        "SELECT wait_event FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = :on"
    )
    with factory() as session:
        return [str(event) for event in session.scalars(statement, {"on": on})]


def wait_until_blocked(
    factory: sessionmaker[Session],
    thread: threading.Thread,
    *,
    event: str | None = None,
    count: int = 1,
) -> None:
    """Return once ``count`` other connections wait on a lock (of kind ``event``: 'advisory').

    This proves an interleaving: the thread's transaction reached the lock and waits for the
    caller's. Fail if the thread ends without ever waiting. The poll has no time cap a loaded
    machine could trip; the only bound is a generous safety net against a hang.
    """
    for _ in range(SAFETY_NET_POLLS):
        waiting = [e for e in backends_waiting(factory) if event is None or e == event]
        if len(waiting) >= count:
            return
        if not thread.is_alive():
            pytest.fail(f"the other transaction ended without waiting on a lock ({event or 'any'})")
        thread.join(POLL_SECONDS)
    pytest.fail("the other transaction neither waited on a lock nor ended")
