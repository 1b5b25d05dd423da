"""Small patterns every domain needs."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def insert_or_get(session: Session, row: T, find: Callable[[], T | None]) -> tuple[T, bool]:
    """Insert ``row`` unless a unique constraint says it exists; then return the stored one.

    The insert runs in a savepoint, so losing a race to a concurrent insert leaves the
    surrounding unit of work intact.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
        return row, True
    except IntegrityError:
        existing = find()
        if existing is None:
            raise
        return existing, False
