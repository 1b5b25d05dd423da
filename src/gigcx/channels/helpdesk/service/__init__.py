"""Use cases of the helpdesk connectors: connect, pull, push."""

from gigcx.channels.helpdesk.service._connections import (
    HELPDESK_CHANNEL,
    connect_zendesk,
    connector_for,
    due_connections,
    failed_writes,
    find_connection,
    get_connection,
    masked_token,
    note_error,
    pull_interval,
    status_of,
)
from gigcx.channels.helpdesk.service._pull import PULL_JOB, is_wanted, pull
from gigcx.channels.helpdesk.service._push import PUSH_JOB, push, queue_for_event, record_done

__all__ = [
    "HELPDESK_CHANNEL",
    "PULL_JOB",
    "PUSH_JOB",
    "connect_zendesk",
    "connector_for",
    "due_connections",
    "failed_writes",
    "find_connection",
    "get_connection",
    "is_wanted",
    "masked_token",
    "note_error",
    "pull",
    "pull_interval",
    "push",
    "queue_for_event",
    "record_done",
    "status_of",
]
