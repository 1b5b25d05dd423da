"""Pull: the helpdesk's changed tickets become GigCX tickets, their requesters' comments
customer messages. Each page of the export is one unit of work with the cursor after it."""

import uuid
from datetime import timedelta
from functools import partial

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Program
from gigcx.channels.helpdesk.connector import ExternalComment, ExternalTicket, HelpdeskConnector
from gigcx.channels.helpdesk.enums import Direction
from gigcx.channels.helpdesk.errors import HelpdeskError, HelpdeskRateLimited
from gigcx.channels.helpdesk.models import HelpdeskComment, HelpdeskConnection, HelpdeskLink
from gigcx.channels.helpdesk.service._connections import (
    HELPDESK_CHANNEL,
    connector_for,
    note_error,
    pull_interval,
)
from gigcx.channels.helpdesk.zendesk import HANDED_BACK_TAG
from gigcx.db.dialect import serialize
from gigcx.errors import DomainError
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import Priority
from gigcx.tickets.errors import TicketClosed
from gigcx.tickets.models import Message
from gigcx.tickets.schemas import TicketCreate

PULL_JOB = "channels.helpdesk.pull"
BODY_LIMIT = 20_000
SUBJECT_LIMIT = 200
# Statuses of tickets GigCX does not take in (nobody can answer them any more).
ENDED_STATUSES = frozenset({"solved", "closed", "deleted"})
PRIORITIES = {
    "urgent": Priority.URGENT,
    "high": Priority.HIGH,
    "normal": Priority.NORMAL,
    "low": Priority.LOW,
}


def _clean(text: str, limit: int) -> str:
    """Text as we can store it: no NUL characters, within the limit."""
    return text.replace("\x00", "").strip()[:limit]


def is_wanted(connection: HelpdeskConnection, ticket: ExternalTicket) -> bool:
    """Whether the brand chose this ticket: one of its forms, groups or tags."""
    if ticket.status in ENDED_STATUSES or HANDED_BACK_TAG in ticket.tags:
        return False
    return (
        (ticket.form_id is not None and ticket.form_id in connection.form_ids)
        or (ticket.group_id is not None and ticket.group_id in connection.group_ids)
        or any(tag in connection.tags for tag in ticket.tags)
    )


def _known_comment_ids(session: Session, link: HelpdeskLink) -> set[int]:
    ids = session.scalars(
        select(HelpdeskComment.external_comment_id).where(HelpdeskComment.link_id == link.id)
    )
    return {comment_id for comment_id in ids if comment_id is not None}


def _take_ticket(
    session: Session, connection: HelpdeskConnection, external: ExternalTicket
) -> HelpdeskLink | str:
    """Take a new helpdesk ticket in through intake; return its link or why it was skipped."""
    requester = external.requester
    if requester is None or requester.email is None:
        return f"ticket #{external.id} skipped: its requester has no email address"
    program = session.get_one(Program, connection.program_id)
    route_after_triage = assist_service.routes_after_triage(session, program.id)
    try:
        data = TicketCreate.model_validate(
            {
                "program_id": program.id,
                "customer": {"email": requester.email, "name": _clean(requester.name, 120)},
                "channel": HELPDESK_CHANNEL.value,
                "language": program.languages[0],
                "category": connection.category or None,
                "subject": _clean(external.subject, SUBJECT_LIMIT),
                "body": _clean(external.description, BODY_LIMIT) or "(no text)",
                "priority": PRIORITIES.get(external.priority or ""),
            }
        )
        ticket, _ = tickets_service.create_ticket(
            session,
            SYSTEM,
            data,
            idempotency_key=None,
            route_after_triage=route_after_triage,
            guess_category=partial(assist_service.guess_category, session, program.id),
        )
    except ValidationError as error:
        return f"ticket #{external.id} skipped: {error.errors()[0]['msg']}"
    except DomainError as error:
        return f"ticket #{external.id} skipped: {error.detail}"
    if not route_after_triage:
        jobs_service.enqueue(session, "routing.route", {"ticket_id": str(ticket.id)})
    link = HelpdeskLink(
        connection_id=connection.id,
        external_ticket_id=external.id,
        ticket_id=ticket.id,
        requester_id=external.requester_id,
    )
    session.add(link)
    session.flush()
    return link


def _first_message_id(session: Session, ticket_id: uuid.UUID) -> uuid.UUID:
    return session.scalars(
        select(Message.id)
        .where(Message.ticket_id == ticket_id)
        .order_by(Message.created_at, Message.id)
        .limit(1)
    ).one()


def _take_comments(
    session: Session,
    link: HelpdeskLink,
    comments: list[ExternalComment],
    *,
    is_new: bool,
) -> None:
    """Record the requester's public comments we have not seen as customer messages.

    Our own writes (by the connection's agent) and other agents' comments are not taken in;
    a comment id already recorded, in either direction, is never taken twice.
    """
    known = _known_comment_ids(session, link)
    for index, comment in enumerate(comments):
        if comment.id in known:
            continue
        if is_new and index == 0:
            # The first comment is the description the ticket was made of.
            message_id: uuid.UUID | None = _first_message_id(session, link.ticket_id)
        elif comment.author_id == link.requester_id and comment.is_public:
            body = _clean(comment.body, BODY_LIMIT) or "(no text)"
            try:
                message = tickets_service.add_customer_message(
                    session, SYSTEM, link.ticket_id, body
                )
            except TicketClosed:
                continue
            message_id = message.id
        else:
            continue
        session.add(
            HelpdeskComment(
                connection_id=link.connection_id,
                link_id=link.id,
                external_comment_id=comment.id,
                message_id=message_id,
                direction=Direction.IN,
            )
        )
        known.add(comment.id)
    session.flush()


def _take_page(
    session: Session,
    connection: HelpdeskConnection,
    connector: HelpdeskConnector,
    tickets: list[ExternalTicket],
) -> list[str]:
    skipped: list[str] = []
    for external in tickets:
        link = session.scalar(
            select(HelpdeskLink).where(
                HelpdeskLink.connection_id == connection.id,
                HelpdeskLink.external_ticket_id == external.id,
            )
        )
        is_new = link is None
        if link is None:
            if not is_wanted(connection, external):
                continue
            taken = _take_ticket(session, connection, external)
            if isinstance(taken, str):
                skipped.append(taken)
                continue
            link = taken
        # Every ticket the export names is read again, even at an updated_at seen before:
        # Zendesk's times have whole seconds, and a comment in the same second must not be lost.
        _take_comments(session, link, connector.list_comments(external.id), is_new=is_new)
        link.external_updated_at = external.updated_at
    return skipped


def pull(session: Session, connection_id: uuid.UUID) -> None:
    """Take one page of the helpdesk's changes; queue the next page if there is more."""
    # One pull of a connection at a time; the settings page can still save meanwhile.
    serialize(session, f"helpdesk.pull:{connection_id}")
    connection = session.get(HelpdeskConnection, connection_id, populate_existing=True)
    if connection is None or not connection.is_active:
        return
    try:
        with connector_for(connection) as connector:
            start = int(connection.start_time.timestamp())
            page = connector.pull_changes(connection.cursor, start_time=start)
            skipped = _take_page(session, connection, connector, page.tickets)
    except HelpdeskError as error:
        # What was taken before the error stays; the page is read again from its cursor, and
        # links and comment ids keep anything from coming in twice.
        note_error(connection, f"pull: {error}")
        if isinstance(error, HelpdeskRateLimited):
            connection.next_pull_at = clock.now() + timedelta(seconds=error.retry_after)
        session.flush()
        return
    now = clock.now()
    connection.cursor = page.next_cursor
    connection.last_pulled_at = now
    if skipped:
        note_error(connection, "; ".join(skipped[:5]))
    elif connection.last_error and connection.last_error.startswith("pull:"):
        connection.last_error = None
    if page.is_end:
        connection.next_pull_at = now + pull_interval(connection)
    else:
        jobs_service.enqueue(session, PULL_JOB, {"connection_id": str(connection.id)})
    session.flush()
