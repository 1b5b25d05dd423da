from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand
from gigcx.channels.webhooks import service
from gigcx.channels.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from gigcx.channels.webhooks.schemas import EndpointCreate
from gigcx.jobs import events
from gigcx.jobs.events import EventType
from tests.factories.brands import brand_admin


def make_endpoint(
    session: Session, brand: Brand, url: str, *, event_types: tuple[str, ...] = ()
) -> tuple[WebhookEndpoint, str]:
    data = EndpointCreate.model_validate({"url": url, "event_types": list(event_types)})
    return service.create_endpoint(session, brand_admin(brand), data)


def emit(
    session: Session,
    brand: Brand,
    event_type: EventType = EventType.TICKET_CREATED,
    **data: Any,
) -> None:
    events.emit(session, brand_id=brand.id, event_type=event_type, data=data)


def deliveries_of(session: Session, endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    session.expire_all()
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
        )
    )


def attempts_of(session: Session, endpoint: WebhookEndpoint) -> list[WebhookAttempt]:
    session.expire_all()
    return list(
        session.scalars(
            select(WebhookAttempt)
            .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookAttempt.attempted_at, WebhookAttempt.n)
        )
    )
