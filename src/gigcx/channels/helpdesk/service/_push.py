"""Push: our answers, notes, resolutions and escalations written to the helpdesk, once each.

Every write is a ``HelpdeskSync`` row queued with the event that caused it (keyed by the message
or the event, so an event handed on twice queues one write). The push job of a ticket writes
its queued rows in order. Zendesk has no idempotency key for ticket updates, so each write adds
a marker tag in the same update; before writing, the job reads the ticket's tags once, and a row
whose marker is already there (the helpdesk took it, then the job crashed or lost the answer)
is recorded as done without writing again. A later write removes the markers of rows whose
success was committed earlier.
"""

import secrets
import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.principal import SYSTEM
from gigcx.channels.events import Event
from gigcx.channels.helpdesk.connector import ExternalComment, HelpdeskConnector, WriteResult
from gigcx.channels.helpdesk.enums import Direction, SyncKind, SyncStatus
from gigcx.channels.helpdesk.errors import HelpdeskError, HelpdeskRateLimited
from gigcx.channels.helpdesk.models import (
    HelpdeskComment,
    HelpdeskConnection,
    HelpdeskLink,
    HelpdeskSync,
)
from gigcx.channels.helpdesk.service._connections import connector_for, note_error
from gigcx.channels.helpdesk.zendesk import MARKER_PREFIX
from gigcx.db.dialect import locked
from gigcx.db.helpers import insert_or_get
from gigcx.jobs import events
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Message, Ticket
from gigcx.views import customer as customer_views
from gigcx.views import staff as staff_views

PUSH_JOB = "channels.helpdesk.push"
# Attempts at a write the helpdesk keeps failing (5xx, no answer) before it is marked failed.
MAX_ATTEMPTS = 10
MAX_BACKOFF = timedelta(hours=1)
# Markers of earlier writes removed with each write (older ones were removed before).
FORGET_AT_ONCE = 20
ERROR_LIMIT = 1000

_KINDS = {
    events.EventType.TICKET_REPLIED.value: SyncKind.PUBLIC_COMMENT,
    events.EventType.TICKET_NOTE_ADDED.value: SyncKind.PRIVATE_COMMENT,
    events.EventType.TICKET_RESOLVED.value: SyncKind.SOLVE,
    events.EventType.TICKET_ESCALATED.value: SyncKind.HAND_BACK,
}


def new_marker() -> str:
    return MARKER_PREFIX + secrets.token_hex(12)


def queue_for_event(session: Session, event: Event) -> HelpdeskSync | None:
    """Queue the helpdesk write an event on a linked ticket calls for (once per event)."""
    kind = _KINDS.get(event.type)
    ticket_id = event.id_of("ticket_id")
    if kind is None or ticket_id is None:
        return None
    link = session.scalar(select(HelpdeskLink).where(HelpdeskLink.ticket_id == ticket_id))
    if link is None:
        return None
    connection = session.get_one(HelpdeskConnection, link.connection_id)
    if not connection.is_active:
        return None
    message_id: uuid.UUID | None = None
    if kind in {SyncKind.PUBLIC_COMMENT, SyncKind.PRIVATE_COMMENT}:
        message_id = uuid.UUID(str(event.data["message_id"]))
        key = f"message:{message_id}"
    else:
        key = f"{kind.value}:{ticket_id}:{event.occurred_at.isoformat()}"
    reason = str(event.data.get("reason") or "")
    note = f"GigCX handed this ticket back to your team. Reason: {reason or 'not given'}"

    def find() -> HelpdeskSync | None:
        return session.scalar(
            select(HelpdeskSync).where(
                HelpdeskSync.connection_id == connection.id, HelpdeskSync.key == key
            )
        )

    sync, is_new = insert_or_get(
        session,
        HelpdeskSync(
            connection_id=connection.id,
            link_id=link.id,
            key=key,
            kind=kind,
            message_id=message_id,
            note=note if kind == SyncKind.HAND_BACK else "",
            marker=new_marker(),
        ),
        find,
    )
    if is_new:
        jobs_service.enqueue(session, PUSH_JOB, {"link_id": str(link.id)})
    return sync


def _comment_text(session: Session, sync: HelpdeskSync) -> str:
    """A reply as the customer reads it; a note as the brand's staff read it."""
    message = session.get_one(Message, sync.message_id)
    if sync.kind == SyncKind.PUBLIC_COMMENT:
        ticket = session.get_one(Ticket, message.ticket_id)
        customer = tickets_service.customer_of(ticket)
        return customer_views.message_read(session, customer, message).body
    return staff_views.message_read(session, SYSTEM, message).body


def _write(
    session: Session,
    connector: HelpdeskConnector,
    connection: HelpdeskConnection,
    link: HelpdeskLink,
    sync: HelpdeskSync,
    forget: list[str],
) -> WriteResult:
    ticket_id = link.external_ticket_id
    if sync.kind == SyncKind.SOLVE:
        return connector.set_status(ticket_id, "solved", marker=sync.marker, forget=forget)
    if sync.kind == SyncKind.HAND_BACK:
        return connector.hand_back(
            ticket_id,
            connection.handback_group_id,
            sync.note,
            marker=sync.marker,
            forget=forget,
        )
    return connector.post_comment(
        ticket_id,
        _comment_text(session, sync),
        is_public=sync.kind == SyncKind.PUBLIC_COMMENT,
        marker=sync.marker,
        forget=forget,
    )


def _landed_comment_id(
    session: Session,
    connector: HelpdeskConnector,
    connection: HelpdeskConnection,
    link: HelpdeskLink,
    sync: HelpdeskSync,
    comments: list[ExternalComment] | None,
) -> tuple[int | None, list[ExternalComment]]:
    """The comment a write that landed made: our agent's, same text, not yet recorded."""
    comments = (
        comments if comments is not None else connector.list_comments(link.external_ticket_id)
    )
    known = set(
        session.scalars(
            select(HelpdeskComment.external_comment_id).where(HelpdeskComment.link_id == link.id)
        )
    )
    text = _comment_text(session, sync).strip()
    for comment in reversed(comments):
        if (
            comment.author_id == connection.agent_id
            and comment.id not in known
            and comment.body.strip() == text
        ):
            return comment.id, comments
    return None, comments


def record_done(
    session: Session, link: HelpdeskLink, sync: HelpdeskSync, comment_id: int | None
) -> None:
    """The helpdesk took the write: mark it done and map its comment to our message."""
    sync.status = SyncStatus.DONE
    sync.done_at = clock.now()
    sync.last_error = None
    if sync.message_id is not None:
        session.add(
            HelpdeskComment(
                connection_id=link.connection_id,
                link_id=link.id,
                external_comment_id=comment_id,
                message_id=sync.message_id,
                direction=Direction.OUT,
            )
        )
    session.flush()


def _retry_delay(sync: HelpdeskSync, error: HelpdeskError) -> timedelta:
    if isinstance(error, HelpdeskRateLimited):
        return timedelta(seconds=error.retry_after)
    return min(timedelta(seconds=30 * 2 ** (sync.attempts - 1)), MAX_BACKOFF)


def push(session: Session, link_id: uuid.UUID) -> None:
    """Write a ticket's queued syncs to the helpdesk, in order, each exactly once."""
    link = session.scalars(
        locked(session, select(HelpdeskLink).where(HelpdeskLink.id == link_id))
    ).first()
    if link is None:
        return
    queued = session.scalars(
        select(HelpdeskSync)
        .where(HelpdeskSync.link_id == link.id, HelpdeskSync.status == SyncStatus.QUEUED)
        .order_by(HelpdeskSync.created_at, HelpdeskSync.id)
    ).all()
    if not queued:
        return
    connection = session.get_one(HelpdeskConnection, link.connection_id)
    # Only markers of writes committed as done before this run may be removed: a write done
    # in this run and then rolled back by a crash must still find its marker next time.
    forget = list(
        session.scalars(
            select(HelpdeskSync.marker)
            .where(HelpdeskSync.link_id == link.id, HelpdeskSync.status == SyncStatus.DONE)
            .order_by(HelpdeskSync.done_at.desc(), HelpdeskSync.id)
            .limit(FORGET_AT_ONCE)
        )
    )
    with connector_for(connection) as connector:
        try:
            landed = connector.written_markers(link.external_ticket_id)
        except HelpdeskError as error:
            queued[0].attempts += 1
            _put_off(session, connection, link, queued[0], error)
            return
        comments: list[ExternalComment] | None = None
        for sync in queued:
            sync.attempts += 1
            try:
                if sync.marker in landed:
                    comment_id = None
                    if sync.message_id is not None:
                        comment_id, comments = _landed_comment_id(
                            session, connector, connection, link, sync, comments
                        )
                    record_done(session, link, sync, comment_id)
                    continue
                result = _write(session, connector, connection, link, sync, forget)
            except HelpdeskError as error:
                if error.is_permanent:
                    sync.status = SyncStatus.FAILED
                    sync.last_error = str(error)[:ERROR_LIMIT]
                    note_error(connection, f"push: {error}")
                    continue
                _put_off(session, connection, link, sync, error)
                return
            forget = []
            record_done(session, link, sync, result.comment_id)
    connection.last_pushed_at = clock.now()
    session.flush()


def _put_off(
    session: Session,
    connection: HelpdeskConnection,
    link: HelpdeskLink,
    sync: HelpdeskSync,
    error: HelpdeskError,
) -> None:
    """A passing failure: keep it, and try the ticket's writes again later (or give up)."""
    sync.last_error = f"attempt {sync.attempts}: {error}"[:ERROR_LIMIT]
    note_error(connection, f"push: {error}")
    if sync.attempts >= MAX_ATTEMPTS:
        sync.status = SyncStatus.FAILED
        run_at = clock.now()
    else:
        run_at = clock.now() + _retry_delay(sync, error)
    jobs_service.enqueue(session, PUSH_JOB, {"link_id": str(link.id)}, run_at=run_at)
    session.flush()
