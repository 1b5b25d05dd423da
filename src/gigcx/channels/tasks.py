"""Job handlers of the channels: events fanned out, mail sent."""

from typing import Any

from sqlalchemy.orm import Session

from gigcx.channels import events
from gigcx.channels import intake as intake_tasks
from gigcx.channels.chat import tasks as chat_tasks
from gigcx.channels.community import tasks as community_tasks
from gigcx.channels.email import notify as email_notify
from gigcx.channels.email import tasks as email_tasks
from gigcx.channels.webhooks import tasks as webhooks_tasks
from gigcx.jobs.events import EVENT_JOB
from gigcx.jobs.registry import handler

__all__ = [
    "chat_tasks",
    "community_tasks",
    "email_notify",
    "email_tasks",
    "helpdesk_tasks",
    "intake_tasks",
    "webhooks_tasks",
]


from gigcx.channels.helpdesk import tasks as helpdesk_tasks


@handler(EVENT_JOB)
def dispatch_events(session: Session, payload: dict[str, Any]) -> None:
    """Hand a batch of domain events to every channel that listens."""
    events.dispatch(session, payload)
