"""Job handlers of the helpdesk connectors: the recurring tick, pulls and pushes."""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.channels.helpdesk import service
from gigcx.channels.helpdesk import subscriber as _subscriber
from gigcx.jobs import service as jobs_service
from gigcx.jobs.registry import handler
from gigcx.kit import clock

TICK_JOB = "channels.helpdesk.tick"
TICK_EVERY = timedelta(seconds=30)

assert _subscriber  # registers the event subscriber


def schedule_tick(session: Session) -> None:
    """Make sure one tick is queued (each run queues the next)."""
    jobs_service.ensure_queued(session, TICK_JOB, {}, run_at=clock.now() + TICK_EVERY)


def _rearm(session: Session, _payload: dict[str, Any]) -> None:
    schedule_tick(session)


@handler(TICK_JOB, timeout=timedelta(seconds=30), rearm=_rearm)
def tick(session: Session, payload: dict[str, Any]) -> None:
    """Queue a pull for every connection whose interval has passed."""
    for connection in service.due_connections(session):
        connection.next_pull_at = clock.now() + service.pull_interval(connection)
        jobs_service.enqueue(session, service.PULL_JOB, {"connection_id": str(connection.id)})
    session.flush()


@handler(service.PULL_JOB, timeout=timedelta(minutes=5))
def pull(session: Session, payload: dict[str, Any]) -> None:
    """Take one page of a helpdesk's changed tickets in."""
    service.pull(session, uuid.UUID(payload["connection_id"]))


@handler(service.PUSH_JOB, timeout=timedelta(seconds=60))
def push(session: Session, payload: dict[str, Any]) -> None:
    """Write a linked ticket's queued answers, notes and status changes to the helpdesk."""
    service.push(session, uuid.UUID(payload["link_id"]))
