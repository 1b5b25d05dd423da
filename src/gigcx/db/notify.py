"""Change notifications: which live feeds a committed change concerns, told to every process.

A model says which topics a change of one of its rows concerns (``watch``): ``expert:<id>`` for
an expert's offer feed, ``brand:<id>`` for a brand's live queue, ``ticket:<id>`` for the pages
and chats that show one ticket. Every flush collects the topics of the rows it wrote; bulk
UPDATEs, which the flush does not see, name theirs with ``touch``.

Nothing leaves before the transaction commits, and a rollback drops what was collected. On
PostgreSQL the topics go out with ``pg_notify`` inside the writing transaction, so the server
delivers them to every listening process on commit only, whichever process (a server, a job
runner, the CLI) wrote. The writing process also hands them to its own subscribers at once
(``gigcx.db.fanout``); its listener skips its own notifications. On SQLite the topics reach
this process's subscribers after the commit.
"""

import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.orm import Session, UOWTransaction

from gigcx.db import fanout

CHANNEL = "gigcx_live"
# pg_notify refuses payloads of 8000 bytes and more.
_PAYLOAD_BYTES = 7000
_PENDING = "gigcx_live_topics"
# Tells this process's notifications apart from other processes' when they come back.
ORIGIN = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

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


def payloads(topics: Iterable[str], origin: str = ORIGIN) -> Iterator[str]:
    """``origin|topic topic ...`` strings, each small enough for ``pg_notify``."""
    head = f"{origin}|"
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


def parse(payload: str) -> tuple[str, list[str]]:
    """The origin and topics of a payload made by ``payloads``."""
    origin, _, topics = payload.partition("|")
    return origin, topics.split()


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


@event.listens_for(Session, "before_commit")
def _notify_postgres(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint's release fires this too; the outer commit sends what it collected.
        return
    # Flush first: the commit's own flush comes after this event.
    session.flush()
    pending = session.info.get(_PENDING)
    if not pending or session.get_bind().dialect.name != "postgresql":
        return
    connection = session.connection()
    for payload in payloads(pending):
        connection.execute(
            text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload}
        )


@event.listens_for(Session, "after_commit")
def _publish_here(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        fanout.hub().publish(pending)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)
