"""Aware UTC time in one place, so tests and simulations can move it."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    """Return the current time, aware UTC."""
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
