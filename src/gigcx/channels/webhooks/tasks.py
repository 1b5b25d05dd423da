"""The webhooks' event subscriber and send job."""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.channels.events import Event, subscriber
from gigcx.channels.webhooks import delivery, messages
from gigcx.jobs.registry import handler


@subscriber("webhooks")
def make_messages(session: Session, event: Event) -> None:
    """Write a message and its deliveries for the brand's endpoints that want the event."""
    messages.on_event(session, event)


# A send waits at most 15 seconds for the receiver; DNS and the database come on top.
@handler(delivery.SEND_JOB, timeout=timedelta(seconds=delivery.TIMEOUT_SECONDS * 4))
def send(session: Session, payload: dict[str, Any]) -> None:
    """Make one attempt to deliver a message to an endpoint."""
    delivery.deliver(session, uuid.UUID(payload["delivery_id"]), int(payload["token"]))
