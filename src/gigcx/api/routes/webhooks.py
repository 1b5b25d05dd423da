"""A brand's webhook endpoints, their messages and attempts, tests and replays."""

import uuid
from collections.abc import Sequence

from fastapi import APIRouter

from gigcx.api.deps import BrandManager, Page, PageDep, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.channels.webhooks import messages, service
from gigcx.channels.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookMessage
from gigcx.channels.webhooks.schemas import (
    AttemptRead,
    DeliveryRead,
    EndpointCreate,
    EndpointCreated,
    EndpointRead,
    EndpointUpdate,
    ReplayRequest,
    ReplayResult,
    SecretRotated,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=ERROR_RESPONSES)


@router.get("/endpoints")
def list_endpoints(session: SessionDep, principal: BrandManager) -> list[EndpointRead]:
    """The brand's webhook endpoints, newest first."""
    return [EndpointRead.model_validate(e) for e in service.list_endpoints(session, principal)]


@router.post("/endpoints", status_code=201)
def create_endpoint(
    session: SessionDep, principal: BrandManager, body: EndpointCreate
) -> EndpointCreated:
    """Add an endpoint; the answer holds its signing secret, shown this once."""
    endpoint, secret = service.create_endpoint(session, principal, body)
    return EndpointCreated.model_validate(
        {**EndpointRead.model_validate(endpoint).model_dump(), "secret": secret}
    )


@router.get("/endpoints/{endpoint_id}")
def get_endpoint(
    session: SessionDep, principal: BrandManager, endpoint_id: uuid.UUID
) -> EndpointRead:
    """One endpoint (without its secret)."""
    return EndpointRead.model_validate(service.get_endpoint(session, principal, endpoint_id))


@router.patch("/endpoints/{endpoint_id}")
def update_endpoint(
    session: SessionDep, principal: BrandManager, endpoint_id: uuid.UUID, body: EndpointUpdate
) -> EndpointRead:
    """Change the address, description or events, or disable and enable the endpoint."""
    endpoint = service.update_endpoint(session, principal, endpoint_id, body)
    return EndpointRead.model_validate(endpoint)


@router.post("/endpoints/{endpoint_id}/rotate-secret")
def rotate_secret(
    session: SessionDep, principal: BrandManager, endpoint_id: uuid.UUID
) -> SecretRotated:
    """A new signing secret; the old one signs alongside it for 24 hours, then expires."""
    secret, _, previous = service.rotate_secret(session, principal, endpoint_id)
    return SecretRotated(
        secret=secret, previous_expires_at=previous.expires_at if previous else None
    )


@router.post("/endpoints/{endpoint_id}/test", status_code=202)
def send_test_event(
    session: SessionDep, principal: BrandManager, endpoint_id: uuid.UUID
) -> DeliveryRead:
    """Send a ``webhook.test`` message to the endpoint (by the job runner, right away)."""
    delivery = messages.send_test(session, principal, endpoint_id)
    return _read(delivery, session.get_one(WebhookMessage, delivery.message_id), [])


@router.get("/endpoints/{endpoint_id}/messages")
def list_messages(
    session: SessionDep, principal: BrandManager, endpoint_id: uuid.UUID, page: PageDep
) -> Page[DeliveryRead]:
    """The messages sent to the endpoint, newest first, with every attempt."""
    rows, total = messages.list_deliveries(
        session, principal, endpoint_id, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[_read(*row) for row in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post("/endpoints/{endpoint_id}/replay", status_code=202)
def replay(
    session: SessionDep, principal: BrandManager, endpoint_id: uuid.UUID, body: ReplayRequest
) -> ReplayResult:
    """Send one message (``message_id``) or a time range (``since``, ``until``) again."""
    count = messages.replay(
        session,
        principal,
        endpoint_id,
        message_id=body.message_id,
        since=body.since,
        until=body.until,
    )
    return ReplayResult(replayed=count)


def _read(
    delivery: WebhookDelivery, message: WebhookMessage, attempts: Sequence[WebhookAttempt]
) -> DeliveryRead:
    return DeliveryRead(
        message_id=message.id,
        event_type=message.event_type,
        payload=message.payload,
        created_at=message.created_at,
        status=delivery.status,
        next_attempt_at=delivery.next_attempt_at,
        attempts=[AttemptRead.model_validate(a) for a in attempts],
    )
