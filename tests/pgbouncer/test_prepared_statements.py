"""Behind PgBouncer in transaction mode, one client's transactions run on any server connection.

psycopg prepares a query on the server once it has run it five times; the next transaction may
then run on a server connection that never saw the statement. Two clients that take turns make
that certain: while one holds a server connection in a transaction, the other's next
transaction gets another.
"""

from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from gigcx.config import get_settings
from gigcx.db.session import make_engine
from tests.servers.pgbouncer import PgBouncer

QUERY = text("SELECT CAST(:n AS integer) + 1")
TURNS = 10
# "prepared statement does not exist", "prepared statement already exists"
PREPARED_STATEMENT_ERRORS = {"26000", "42P05"}


def take_turns(engine: Engine) -> list[int]:
    """Two clients run one query 10 times each, the second holding a server connection."""
    answers: list[int] = []
    with engine.connect() as first, engine.connect() as second:
        for n in range(TURNS):
            answers.append(run(first, n))
            first.commit()
            answers.append(run(second, n))  # its transaction keeps a server connection
            answers.append(run(first, n))
            first.commit()
            second.commit()
    return answers


def run(connection: Connection, n: int) -> int:
    return int(connection.execute(QUERY, {"n": n}).scalar_one())


def sqlstate(error: BaseException) -> Any:
    return getattr(getattr(error, "orig", None), "sqlstate", None)


@pytest.mark.postgres
def test_a_pooled_engine_runs_a_query_again_and_again(
    pgbouncer: PgBouncer, pooled_database: str
) -> None:
    engine = make_engine(pgbouncer.url(pooled_database), pool_size=2, pooled=True)
    try:
        answers = take_turns(engine)
    finally:
        engine.dispose()

    assert answers == [n + 1 for n in range(TURNS) for _ in range(3)]


@pytest.mark.postgres
def test_prepared_statements_break_behind_the_pooler_without_the_setting(
    pgbouncer: PgBouncer, pooled_database: str
) -> None:
    engine = make_engine(pgbouncer.url(pooled_database), pool_size=2, pooled=False)
    try:
        with pytest.raises(DBAPIError) as raised:
            take_turns(engine)
    finally:
        engine.dispose()

    assert sqlstate(raised.value) in PREPARED_STATEMENT_ERRORS


@pytest.mark.postgres
def test_the_setting_makes_engines_pooled(
    pgbouncer: PgBouncer, pooled_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIGCX_DATABASE_POOLED", "1")
    get_settings.cache_clear()
    try:
        engine = make_engine(pgbouncer.url(pooled_database), pool_size=2)
    finally:
        get_settings.cache_clear()
    try:
        with engine.connect() as connection:
            threshold = connection.connection.dbapi_connection.prepare_threshold  # type: ignore[union-attr]
        answers = take_turns(engine)
    finally:
        engine.dispose()

    assert threshold is None
    assert len(answers) == 3 * TURNS
