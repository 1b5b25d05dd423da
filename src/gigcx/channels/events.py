"""Fan domain events out to the channels that subscribe to them.

A subscriber only writes rows and queues jobs in the session it is given (a webhook message, an
outgoing mail, a comment to sync); the network is reached later, by the jobs. So one event job
either hands an event to every subscriber or, rolled back, to none, and a retry is safe.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class Event:
    brand_id: uuid.UUID
    type: str
    occurred_at: datetime
    data: dict[str, Any]

    def id_of(self, key: str) -> uuid.UUID | None:
        """The id under ``key``, or None when the event carries none (or not an id)."""
        try:
            return uuid.UUID(str(self.data[key]))
        except (KeyError, ValueError):
            return None


Subscriber = Callable[[Session, Event], None]

_subscribers: dict[str, Subscriber] = {}


def subscriber(name: str) -> Callable[[Subscriber], Subscriber]:
    """Register ``function`` to hear every event (it picks the types it cares about)."""

    def register(function: Subscriber) -> Subscriber:
        existing = _subscribers.get(name)
        if existing is not None and existing is not function:
            raise ValueError(f"event subscriber {name!r} is registered twice")
        _subscribers[name] = function
        return function

    return register


def subscriber_names() -> list[str]:
    return sorted(_subscribers)


def events_in(payload: dict[str, Any]) -> list[Event]:
    """Read the events of one ``channels.event`` job."""
    brand_id = uuid.UUID(payload["brand_id"])
    return [
        Event(
            brand_id=brand_id,
            type=str(item["type"]),
            occurred_at=datetime.fromisoformat(item["occurred_at"]),
            data=dict(item["data"]),
        )
        for item in payload["events"]
    ]


def dispatch(session: Session, payload: dict[str, Any]) -> None:
    """Hand each event of a job to every subscriber, in registration order."""
    for event in events_in(payload):
        for name in sorted(_subscribers):
            _subscribers[name](session, event)
