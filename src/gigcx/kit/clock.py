"""Aware UTC time in one place, so tests and simulations can move it."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
# A virtual instant one thread reads instead (a simulation in a job runner's thread): the
# server's other threads keep the real time.
_thread = threading.local()


def now() -> datetime:
    """Return the current time, aware UTC."""
    frozen: datetime | None = getattr(_thread, "frozen", None)
    if frozen is not None:
        return frozen
    return datetime.now(UTC) + _offset


@contextmanager
def shifted(by: timedelta) -> Iterator[None]:
    """Move the clock by ``by`` (forward or back) for the duration of the block.

    The offset is process-wide: use it in tests, simulations and the demo replay, never while
    a server is answering requests.
    """
    global _offset
    before = _offset
    _offset = before + by
    try:
        yield
    finally:
        _offset = before


@contextmanager
def travel_to(moment: datetime) -> Iterator[None]:
    """Show ``moment`` on the clock for the duration of the block (it keeps ticking from there)."""
    with shifted(moment - now()):
        yield


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Stop this thread's clock at ``moment`` for the block; other threads keep theirs.

    For simulations in virtual time: every step sees exactly its own instant, so a run is
    repeatable, and a simulation running in a job runner's thread moves no one else's clock.
    """
    before = getattr(_thread, "frozen", None)
    _thread.frozen = moment
    try:
        yield
    finally:
        _thread.frozen = before
