"""The few places where SQLite and PostgreSQL differ."""

import functools
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    Insert,
    Select,
    Table,
    bindparam,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

Ts = TypeVarTuple("Ts")


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def locked(session: Session, statement: Select[*Ts]) -> Select[*Ts]:
    """Lock the selected rows until commit (SQLite already serialises writers)."""
    if is_postgres(session):
        return statement.with_for_update()
    return statement


def claim(session: Session, statement: Select[*Ts]) -> Select[*Ts]:
    """Lock the selected rows, skipping those another transaction holds."""
    if is_postgres(session):
        return statement.with_for_update(skip_locked=True)
    return statement


def insert_new(session: Session, model: type[Any]) -> Insert:
    """An INSERT of ``model`` that skips, without an error, a row that a unique constraint says
    exists already (``ON CONFLICT DO NOTHING``): no savepoint needed to survive the race."""
    if is_postgres(session):
        return postgresql.insert(model).on_conflict_do_nothing()
    return sqlite.insert(model).on_conflict_do_nothing()


def insert_new_with(
    session: Session,
    model: type[Any],
    values: dict[str, Any],
    *,
    then: type[Any],
    then_values: dict[str, Any],
) -> bool:
    """Insert a row of ``model`` unless a unique constraint finds it exists (``insert_new``)
    and, only when it was new, a row of ``then``; return whether it was new. One statement on
    PostgreSQL (the first insert a CTE of the second), two on SQLite. The statements are built
    once per shape: a request that sends only these pays for no statement building."""
    dialect = session.get_bind().dialect.name
    first, second = _inserts_with(
        dialect, model.__table__, tuple(values), then.__table__, tuple(then_values)
    )
    params = {
        **{f"a_{k}": v for k, v in values.items()},
        **{f"b_{k}": v for k, v in then_values.items()},
    }
    if second is None:
        return session.execute(first, params).first() is not None
    if session.execute(first, params).first() is None:
        return False
    session.execute(second, params)
    return True


@functools.cache
def _inserts_with(
    dialect: str, table: Table, names: tuple[str, ...], then: Table, then_names: tuple[str, ...]
) -> tuple[Executable, Executable | None]:
    """The statements of ``insert_new_with``: one (PostgreSQL) or two (SQLite)."""
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    first = (
        dialect_insert(table)
        .values({k: bindparam(f"a_{k}", type_=table.c[k].type) for k in names})
        .on_conflict_do_nothing()
        .returning(table.c.id)
    )
    then_params = {k: bindparam(f"b_{k}", type_=then.c[k].type) for k in then_names}
    if dialect != "postgresql":
        return first, dialect_insert(then).values(then_params)
    new_row = first.cte("new_row")
    second = (
        postgresql.insert(then)
        .from_select(
            list(then_names),
            select(*(param.label(k) for k, param in then_params.items())).select_from(new_row),
        )
        .returning(then.c.id)
    )
    return second, None


def serialize(session: Session, key: str) -> None:
    """Hold a lock named ``key`` until commit, so work on one key runs one at a time."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def refresh_statistics(session: Session, table: str) -> None:
    """Let the planner see rows this transaction just bulk-inserted (PostgreSQL's ANALYZE)."""
    if is_postgres(session):
        session.execute(text(f'ANALYZE "{table}"'))


def epoch_seconds(session: Session, moment: ColumnElement[datetime]) -> ColumnElement[Any]:
    """Seconds since 1970 of a stored UTC time, for arithmetic in SQL (ordering, sort keys)."""
    if is_postgres(session):
        return func.extract("epoch", moment)
    # SQLite keeps UTC times as text; julianday counts days from noon of 4714 BC.
    return (func.julianday(moment) - 2440587.5) * 86400.0


# SQLSTATEs of PostgreSQL's lock_timeout (lock_not_available) and statement_timeout
# (query_canceled), and deadlock and serialization failures: the work may succeed if retried.
_RETRYABLE_SQLSTATES = {"55P03", "57014", "40P01", "40001"}


def is_unreachable(error: BaseException) -> bool:
    """Whether a database error means no connection could be opened (the server is down or
    refuses more clients, "too many clients already"): psycopg says "connection failed"."""
    original = getattr(error, "orig", None)
    return original is not None and str(original).startswith("connection failed")


def is_busy(error: BaseException) -> bool:
    """Whether a database error means "busy, try again": a lock or statement timed out."""
    original = getattr(error, "orig", None)
    if original is None:
        return False
    if getattr(original, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(original)


def snapshot(session: Session) -> None:
    """Read one consistent view of the database for the rest of this (reading) transaction.

    Call it first in the session. SQLite's read transactions already see one snapshot; a session
    that joins a transaction begun outside it (tests) keeps that transaction's level.
    """
    bind = session.get_bind()
    if isinstance(bind, Connection) and bind.in_transaction():
        return
    if is_postgres(session):
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
