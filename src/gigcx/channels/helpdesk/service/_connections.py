"""A brand's helpdesk connection: its settings, the connector that speaks for it, its state."""

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.enums import Channel
from gigcx.channels.helpdesk.enums import Direction, Provider, SyncStatus
from gigcx.channels.helpdesk.errors import ConnectionNotFound, InvalidConnection
from gigcx.channels.helpdesk.models import (
    HelpdeskComment,
    HelpdeskConnection,
    HelpdeskLink,
    HelpdeskSync,
)
from gigcx.channels.helpdesk.schemas import ConnectionStatus, ZendeskSettings
from gigcx.channels.helpdesk.zendesk import ZendeskConnector, base_url_for
from gigcx.errors import PermissionDenied
from gigcx.kit import clock

# Tickets of the helpdesk come in on the API channel: experts set how many they take at once
# as "Helpdesk (API) tickets" and programs take them like any API ticket.
HELPDESK_CHANNEL = Channel.API
ERROR_LIMIT = 1000


def _require_manager(principal: Principal) -> uuid.UUID:
    if not principal.can_manage_brand or principal.brand_id is None:
        raise PermissionDenied("only the brand's admins connect its helpdesk")
    return principal.brand_id


def find_connection(
    session: Session, brand_id: uuid.UUID, provider: Provider = Provider.ZENDESK
) -> HelpdeskConnection | None:
    """The brand's connection to ``provider``, if it made one."""
    return session.scalar(
        select(HelpdeskConnection).where(
            HelpdeskConnection.brand_id == brand_id, HelpdeskConnection.provider == provider
        )
    )


def get_connection(session: Session, principal: Principal) -> HelpdeskConnection:
    """The principal's brand's Zendesk connection, or ConnectionNotFound."""
    if principal.brand_id is None or not principal.can_see_brand(principal.brand_id):
        raise ConnectionNotFound()
    connection = find_connection(session, principal.brand_id)
    if connection is None:
        raise ConnectionNotFound()
    return connection


def connect_zendesk(
    session: Session, principal: Principal, data: ZendeskSettings
) -> HelpdeskConnection:
    """Connect the brand's Zendesk, or change its settings (an empty token keeps the saved one)."""
    brand_id = _require_manager(principal)
    program = brands_service.get_program(session, principal, data.program_id)
    if HELPDESK_CHANNEL.value not in program.channels:
        raise InvalidConnection(
            f"program {program.slug!r} does not take helpdesk tickets: add the "
            f"{HELPDESK_CHANNEL.value!r} channel to it first (Programs, edit)"
        )
    if data.category and program.category(data.category) is None:
        keys = ", ".join(c.key for c in program.categories)
        raise InvalidConnection(
            f"program {program.slug!r} has no category {data.category!r}; categories are: {keys}"
        )
    if not (data.form_ids or data.group_ids or data.tags):
        raise InvalidConnection(
            "say which tickets GigCX takes: at least one ticket form, group or tag"
        )
    connection = find_connection(session, brand_id)
    if connection is None:
        if not data.api_token:
            raise InvalidConnection(
                "enter the API token (Zendesk Admin Center, Apps and "
                "integrations, APIs, Zendesk API)"
            )
        now = clock.now()
        connection = HelpdeskConnection(
            brand_id=brand_id,
            provider=Provider.ZENDESK,
            api_token=data.api_token,
            start_time=now,
            next_pull_at=now,
        )
        session.add(connection)
    elif data.api_token:
        connection.api_token = data.api_token
    connection.program_id = program.id
    connection.category = data.category
    connection.subdomain = data.subdomain
    connection.email = str(data.email)
    connection.agent_id = data.agent_id
    connection.form_ids = list(data.form_ids)
    connection.group_ids = list(data.group_ids)
    connection.tags = list(data.tags)
    connection.handback_group_id = data.handback_group_id
    connection.poll_seconds = data.poll_seconds
    connection.requests_per_minute = data.requests_per_minute
    connection.base_url = data.base_url
    if data.is_active and not connection.is_active:
        connection.next_pull_at = clock.now()
    connection.is_active = data.is_active
    session.flush()
    return connection


def masked_token(token: str) -> str:
    """The saved token as the console shows it: its last four characters."""
    return "•" * 8 + token[-4:] if len(token) > 8 else "•" * 8


def connector_for(connection: HelpdeskConnection) -> ZendeskConnector:
    """The adapter that speaks for the connection (Zendesk, the only provider so far)."""
    return ZendeskConnector(
        base_url=base_url_for(connection.subdomain, connection.base_url),
        email=connection.email,
        api_token=connection.api_token,
        agent_id=connection.agent_id,
        requests_per_minute=connection.requests_per_minute,
    )


def note_error(connection: HelpdeskConnection, error: Exception | str) -> None:
    """Keep the last thing that went wrong, for the console page."""
    connection.last_error = str(error)[:ERROR_LIMIT]
    connection.last_error_at = clock.now()


def status_of(session: Session, connection: HelpdeskConnection) -> ConnectionStatus:
    """Counts and the last sync of a connection."""

    def count(model: type, *where: object) -> int:
        statement = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int(session.scalar(statement) or 0)

    by_connection = HelpdeskComment.connection_id == connection.id
    syncs = HelpdeskSync.connection_id == connection.id
    return ConnectionStatus(
        linked_tickets=count(HelpdeskLink, HelpdeskLink.connection_id == connection.id),
        comments_in=count(
            HelpdeskComment, by_connection, HelpdeskComment.direction == Direction.IN
        ),
        comments_out=count(
            HelpdeskComment, by_connection, HelpdeskComment.direction == Direction.OUT
        ),
        writes_queued=count(HelpdeskSync, syncs, HelpdeskSync.status == SyncStatus.QUEUED),
        writes_failed=count(HelpdeskSync, syncs, HelpdeskSync.status == SyncStatus.FAILED),
        last_pulled_at=connection.last_pulled_at,
        last_pushed_at=connection.last_pushed_at,
        last_error=connection.last_error,
        last_error_at=connection.last_error_at,
    )


def failed_writes(session: Session, connection: HelpdeskConnection) -> Sequence[HelpdeskSync]:
    """Writes the helpdesk refused for good, newest first (at most 20)."""
    return session.scalars(
        select(HelpdeskSync)
        .where(
            HelpdeskSync.connection_id == connection.id,
            HelpdeskSync.status == SyncStatus.FAILED,
        )
        .order_by(HelpdeskSync.created_at.desc(), HelpdeskSync.id)
        .limit(20)
    ).all()


def due_connections(session: Session) -> Sequence[HelpdeskConnection]:
    """Active connections whose next pull is due."""
    return session.scalars(
        select(HelpdeskConnection).where(
            HelpdeskConnection.is_active.is_(True),
            HelpdeskConnection.next_pull_at <= clock.now(),
        )
    ).all()


def pull_interval(connection: HelpdeskConnection) -> timedelta:
    return timedelta(seconds=connection.poll_seconds)
