"""Webhook messages: made from domain events, sent to endpoints, listed, replayed."""

import secrets
import string
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.channels.events import Event
from gigcx.channels.webhooks import delivery as delivery_service
from gigcx.channels.webhooks import service
from gigcx.channels.webhooks.enums import TEST_EVENT, DeliveryStatus, EndpointStatus
from gigcx.channels.webhooks.errors import EndpointDisabled, MessageNotFound, ReplayRangeInvalid
from gigcx.channels.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)
from gigcx.kit import clock

# Fields of event data that go out besides ids: none of them names or quotes anyone.
SHARED_FIELDS = frozenset(
    {"channel", "language", "category", "author_kind", "score", "week", "currency", "expires_at"}
)
REPLAY_LIMIT = 1000
_ALPHABET = string.ascii_letters + string.digits


def new_message_id() -> str:
    """``msg_`` and 27 random letters and digits (about 160 bits)."""
    return "msg_" + "".join(secrets.choice(_ALPHABET) for _ in range(27))


def thin(data: Any) -> Any:
    """Keep ids and the shared fields of event data; drop everything else (text, names)."""
    if isinstance(data, list):
        return [thin(item) for item in data]
    if not isinstance(data, dict):
        return data
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, (list, dict)):
            kept[key] = thin(value)
        elif key.endswith("_id") or key in SHARED_FIELDS:
            kept[key] = value
    return kept


def add_message(
    session: Session,
    *,
    brand_id: uuid.UUID,
    event_type: str,
    data: dict[str, Any],
    occurred_at: datetime,
) -> WebhookMessage:
    """Store a message: ``{type, timestamp, data}`` with thin data."""
    payload = {
        "type": event_type,
        "timestamp": occurred_at.isoformat().replace("+00:00", "Z"),
        "data": thin(data),
    }
    message = WebhookMessage(
        id=new_message_id(), brand_id=brand_id, event_type=event_type, payload=payload
    )
    session.add(message)
    session.flush()
    return message


def send_to(
    session: Session, message: WebhookMessage, endpoints: Sequence[WebhookEndpoint]
) -> list[WebhookDelivery]:
    """One delivery per endpoint, each queued to be sent now."""
    deliveries = []
    for endpoint in endpoints:
        delivery = WebhookDelivery(
            message_id=message.id,
            endpoint_id=endpoint.id,
            status=DeliveryStatus.PENDING,
            attempt_count=0,
            step=0,
            job_token=0,
        )
        session.add(delivery)
        session.flush()
        delivery_service.queue_send(session, delivery, run_at=clock.now())
        deliveries.append(delivery)
    session.flush()
    return deliveries


def subscribed(endpoint: WebhookEndpoint, event_type: str) -> bool:
    return not endpoint.event_types or event_type in endpoint.event_types


def on_event(session: Session, event: Event) -> None:
    """Make a message of an event for the brand's active endpoints that want it."""
    endpoints = session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.brand_id == event.brand_id,
            WebhookEndpoint.status == EndpointStatus.ACTIVE,
        )
    ).all()
    wanting = [endpoint for endpoint in endpoints if subscribed(endpoint, event.type)]
    if not wanting:
        return
    message = add_message(
        session,
        brand_id=event.brand_id,
        event_type=event.type,
        data=event.data,
        occurred_at=event.occurred_at,
    )
    send_to(session, message, wanting)


def send_test(session: Session, principal: Principal, endpoint_id: uuid.UUID) -> WebhookDelivery:
    """Send a ``webhook.test`` message to one endpoint."""
    endpoint = service.get_endpoint(session, principal, endpoint_id)
    if endpoint.status != EndpointStatus.ACTIVE:
        raise EndpointDisabled()
    message = add_message(
        session,
        brand_id=endpoint.brand_id,
        event_type=TEST_EVENT,
        data={"endpoint_id": str(endpoint.id), "brand_id": str(endpoint.brand_id)},
        occurred_at=clock.now(),
    )
    [delivery] = send_to(session, message, [endpoint])
    return delivery


def _restart(session: Session, delivery: WebhookDelivery) -> None:
    delivery.status = DeliveryStatus.PENDING
    delivery.step = 0
    delivery.finished_at = None
    delivery_service.queue_send(session, delivery, run_at=clock.now())


def replay(
    session: Session,
    principal: Principal,
    endpoint_id: uuid.UUID,
    *,
    message_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """Send one message, or every message of a time range, to the endpoint again.

    The same ``webhook-id`` goes out, with new attempts and a fresh retry schedule.
    """
    endpoint = service.get_endpoint(session, principal, endpoint_id)
    if endpoint.status != EndpointStatus.ACTIVE:
        raise EndpointDisabled()
    statement = (
        select(WebhookDelivery)
        .join(WebhookMessage, WebhookMessage.id == WebhookDelivery.message_id)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookMessage.created_at, WebhookMessage.id)
    )
    if message_id is not None:
        if since is not None or until is not None:
            raise ReplayRangeInvalid("give either a message id or a time range, not both")
        found = session.scalar(statement.where(WebhookDelivery.message_id == message_id))
        if found is None:
            raise MessageNotFound(message_id)
        _restart(session, found)
        session.flush()
        return 1
    if since is None:
        raise ReplayRangeInvalid(
            "say what to replay: a message_id, or since (and optionally until) as ISO times"
        )
    until = until or clock.now()
    if since >= until:
        raise ReplayRangeInvalid("the range is empty: since must come before until")
    in_range = statement.where(
        WebhookMessage.created_at >= since, WebhookMessage.created_at < until
    )
    deliveries = session.scalars(in_range.limit(REPLAY_LIMIT + 1)).all()
    if len(deliveries) > REPLAY_LIMIT:
        raise ReplayRangeInvalid(
            f"the range holds more than {REPLAY_LIMIT} messages; replay a shorter range at a time"
        )
    for found in deliveries:
        _restart(session, found)
    session.flush()
    return len(deliveries)


def list_deliveries(
    session: Session,
    principal: Principal,
    endpoint_id: uuid.UUID,
    *,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[WebhookDelivery, WebhookMessage, list[WebhookAttempt]]], int]:
    """An endpoint's messages, newest first, each with its delivery and attempts; and the total."""
    endpoint = service.get_endpoint(session, principal, endpoint_id)
    total = session.scalar(select(func.count()).where(WebhookDelivery.endpoint_id == endpoint.id))
    rows = session.execute(
        select(WebhookDelivery, WebhookMessage)
        .join(WebhookMessage, WebhookMessage.id == WebhookDelivery.message_id)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookMessage.created_at.desc(), WebhookMessage.id)
        .limit(limit)
        .offset(offset)
    ).all()
    ids = [row[0].id for row in rows]
    attempts: dict[uuid.UUID, list[WebhookAttempt]] = {i: [] for i in ids}
    if ids:
        for attempt in session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(ids))
            .order_by(WebhookAttempt.n)
        ):
            attempts[attempt.delivery_id].append(attempt)
    return [(d, m, attempts[d.id]) for d, m in rows], int(total or 0)
