"""Change notifications: which live feeds a committed change concerns, told to every process.

A model says which topics a change of one of its rows concerns (``watch``): ``expert:<id>`` for
an expert's offer feed, ``brand:<id>`` for a brand's live queue, ``ticket:<id>`` for the pages
and chats that show one ticket. Every flush collects the topics of the rows it wrote; bulk
UPDATEs, which the flush does not see, name theirs with ``touch``.

Nothing leaves before the transaction commits, and a rollback drops what was collected. The
writing process hands the topics to its own subscribers after the commit (``gigcx.db.fanout``);
other processes hear them through one transport:

- Redis pub/sub where ``GIGCX_REDIS_URL`` is set (``gigcx.db.redis_bus``): published after the
  commit, from a thread of its own, so Redis being slow or down never holds up a request.
- Otherwise, on PostgreSQL, ``pg_notify`` after the commit, from a thread and a connection of
  its own (``fanout.PostgresPublisher``), whichever process (a server, a job runner, the CLI)
  wrote. Sent inside the writing transaction it would hold PostgreSQL's notification lock
  through that commit, and commits that notify would take turns across the cluster.
- Otherwise (SQLite) nowhere: only this process's subscribers hear of its commits.

Each payload carries its origin (a process's listener skips its own) and the time of the commit,
from which listeners measure ``gigcx_notification_lag_seconds``.
"""

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from gigcx.config import get_settings
from gigcx.db import fanout
from gigcx.kit import metrics

CHANNEL = "gigcx_live"
# pg_notify refuses payloads of 8000 bytes and more.
_PAYLOAD_BYTES = 7000
_PENDING = "gigcx_live_topics"
# Tells this process's notifications apart from other processes' when they come back.
ORIGIN = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

# A topic that wakes every feed: sent when notifications may have been lost on the way out.
EVERYTHING = "*"

Topics = Callable[[Any, Session], Iterable[str]]
_watched: dict[type[Any], Topics] = {}


def expert_topic(expert_id: uuid.UUID) -> str:
    """An expert's offer feed."""
    return f"expert:{expert_id}"


def brand_topic(brand_id: uuid.UUID) -> str:
    """A brand's live queue."""
    return f"brand:{brand_id}"


def any_brand_topic() -> str:
    """Every brand's live queue."""
    return f"brand:{fanout.ANY}"


def ticket_topic(ticket_id: uuid.UUID) -> str:
    """What shows one ticket live: the customer's page, the chat widget, the chat's state."""
    return f"ticket:{ticket_id}"


def chat_topic(chat_id: uuid.UUID) -> str:
    """One chat's events."""
    return f"chat:{chat_id}"


def watch(model: type[Any], topics: Topics) -> None:
    """Say which topics a written row of ``model`` concerns (``topics(row, session)``).

    ``topics`` runs inside the flush: it may read through ``session.connection()``, not through
    the session itself.
    """
    _watched[model] = topics


def touch(session: Session, *topics: str) -> None:
    """Notify ``topics`` when this transaction commits (for writes the flush does not see)."""
    _pending(session).update(topics)


def changed(row: Any, *names: str) -> bool:
    """Whether this flush changes one of the named attributes of ``row`` (or inserts it)."""
    state = inspect(row)
    if state.pending or state.deleted or not state.has_identity:
        return True
    return any(state.attrs[name].history.has_changes() for name in names)


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification as a listener reads it."""

    origin: str
    # When the change was committed (seconds since the epoch; 0.0 if the payload did not say).
    committed_at: float
    topics: list[str]


def payloads(
    topics: Iterable[str], origin: str = ORIGIN, committed_at: float | None = None
) -> Iterator[str]:
    """``origin|committed_at|topic topic ...`` strings, each small enough for ``pg_notify``."""
    stamp = time.time() if committed_at is None else committed_at
    head = f"{origin}|{stamp:.6f}|"
    batch: list[str] = []
    size = len(head)
    for topic in sorted(set(topics)):
        if batch and size + len(topic) + 1 > _PAYLOAD_BYTES:
            yield head + " ".join(batch)
            batch, size = [], len(head)
        batch.append(topic)
        size += len(topic) + 1
    if batch:
        yield head + " ".join(batch)


def parse(payload: str) -> Notice:
    """The origin, commit time and topics of a payload made by ``payloads``."""
    origin, _, rest = payload.partition("|")
    stamp, _, topics = rest.partition("|")
    try:
        committed_at = float(stamp)
    except ValueError:
        committed_at = 0.0
    return Notice(origin, committed_at, topics.split())


def heard(notice: Notice, *, origin: str = ORIGIN, target: fanout.Hub | None = None) -> None:
    """What a listener does with a notification: measure its lag, and wake the feeds of its
    topics unless it came from ``origin`` (whose own subscribers were told at its commit)."""
    if notice.committed_at > 0:
        # Clocks of two machines may differ a little: never report a negative lag.
        metrics.notification_lag_seconds.set(max(0.0, time.time() - notice.committed_at))
    if notice.origin == origin:
        return
    hub = target or fanout.hub()
    if EVERYTHING in notice.topics:
        hub.wake_all()
    else:
        hub.publish(notice.topics)


def handler(*, origin: str = ORIGIN, target: fanout.Hub | None = None) -> Callable[[str], None]:
    """What a listening connection calls with each payload it hears."""
    return lambda payload: heard(parse(payload), origin=origin, target=target)


_publishers: dict[tuple[str, str], fanout.Publisher] = {}
_publishers_lock = threading.Lock()


def publisher(bind: Engine | Connection | None = None) -> fanout.Publisher | None:
    """This process's publisher to other processes: Redis where ``GIGCX_REDIS_URL`` is set,
    else ``pg_notify`` when ``bind`` is a PostgreSQL database, else None (nobody to tell)."""
    settings = get_settings()
    if settings.redis_url:
        key = (settings.redis_url, settings.redis_channel)
    elif bind is not None and bind.dialect.name == "postgresql":
        url = bind.engine.url
        key = (url.render_as_string(hide_password=False), CHANNEL)
    else:
        return None
    with _publishers_lock:
        found = _publishers.get(key)
        if found is None:
            found = _publishers[key] = _new_publisher(bind)
        return found


def _new_publisher(bind: Engine | Connection | None) -> fanout.Publisher:
    settings = get_settings()
    if settings.redis_url:
        # Loaded only where Redis is configured: the client library adds to every start otherwise.
        from gigcx.db import redis_bus

        return redis_bus.RedisPublisher(
            settings.redis_url, channel=settings.redis_channel, wake_all=_wake_all_payload
        )
    assert bind is not None
    return fanout.PostgresPublisher(bind.engine.url, channel=CHANNEL, wake_all=_wake_all_payload)


def close_publishers() -> None:
    """Send what this process's publishers hold, then drop them."""
    with _publishers_lock:
        closing = list(_publishers.values())
        _publishers.clear()
    for bus in closing:
        bus.close()


def _wake_all_payload() -> str:
    return next(payloads([EVERYTHING]))


def _pending(session: Session) -> set[str]:
    pending: set[str] = session.info.setdefault(_PENDING, set())
    return pending


def _topics_for(kind: type[Any]) -> Topics | None:
    return next((_watched[base] for base in kind.__mro__ if base in _watched), None)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush: UOWTransaction) -> None:
    if not _watched:
        return
    pending = _pending(session)
    for rows, is_dirty in ((session.new, False), (session.dirty, True), (session.deleted, False)):
        for row in rows:
            topics = _topics_for(type(row))
            if topics is None:
                continue
            if is_dirty and not session.is_modified(row, include_collections=False):
                continue
            pending.update(topics(row, session))


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    fanout.hub().publish(pending)
    bus = publisher(session.get_bind())
    if bus is not None:
        # Stamped at the commit: the lag measured from here includes the publisher's queue.
        bus.publish(payloads(pending))


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)
