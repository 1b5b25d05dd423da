"""The helpdesk hears of replies, notes, resolutions and escalations on the tickets it linked."""

from sqlalchemy.orm import Session

from gigcx.channels.events import Event, subscriber
from gigcx.channels.helpdesk import service


@subscriber("helpdesk")
def on_event(session: Session, event: Event) -> None:
    """Queue the write to the helpdesk an event on a linked ticket calls for."""
    service.queue_for_event(session, event)
