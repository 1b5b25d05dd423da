"""A brand's webhook endpoints: create, change, disable and enable, rotate secrets."""

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gigcx.auth.enums import Role
from gigcx.auth.models import User
from gigcx.auth.principal import Principal
from gigcx.channels.email import outbound
from gigcx.channels.email.enums import AutoSubmitted
from gigcx.channels.webhooks import guard, signing
from gigcx.channels.webhooks.enums import (
    EVENT_TYPES,
    DeliveryStatus,
    DisabledReason,
    EndpointStatus,
)
from gigcx.channels.webhooks.errors import EndpointNotFound, EndpointUrlRefused, UnknownEventType
from gigcx.channels.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSecret
from gigcx.channels.webhooks.schemas import EndpointCreate, EndpointUpdate
from gigcx.errors import PermissionDenied
from gigcx.kit import clock

# After a rotation the old secret signs next to the new one for this long.
ROTATION_OVERLAP = timedelta(hours=24)


def brand_of(principal: Principal) -> uuid.UUID:
    """The brand whose webhooks ``principal`` manages."""
    if not principal.can_manage_brand or principal.brand_id is None:
        raise PermissionDenied("only the brand's admins (or its API keys) manage webhooks")
    return principal.brand_id


def list_endpoints(session: Session, principal: Principal) -> Sequence[WebhookEndpoint]:
    """The brand's endpoints, newest first."""
    return session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.brand_id == brand_of(principal))
        .order_by(WebhookEndpoint.created_at.desc(), WebhookEndpoint.id)
    ).all()


def get_endpoint(
    session: Session, principal: Principal, endpoint_id: uuid.UUID, *, for_update: bool = False
) -> WebhookEndpoint:
    """One of the brand's endpoints; another brand's id is not found."""
    statement = select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id, WebhookEndpoint.brand_id == brand_of(principal)
    )
    if for_update:
        statement = statement.with_for_update()
    endpoint = session.scalar(statement)
    if endpoint is None:
        raise EndpointNotFound()
    return endpoint


def check_url(url: str) -> str:
    """Refuse an address we would never send to (the host is resolved at each attempt)."""
    url = url.strip()
    problem = guard.url_problem(url, guard.allow_list())
    if problem is not None:
        raise EndpointUrlRefused(problem)
    return url


def check_event_types(names: Sequence[str]) -> list[str]:
    """Keep the listed event types, each once, in catalogue order; refuse unknown ones."""
    unknown = [name for name in names if name not in EVENT_TYPES]
    if unknown:
        raise UnknownEventType(unknown)
    return [name for name in EVENT_TYPES if name in set(names)]


def create_endpoint(
    session: Session, principal: Principal, data: EndpointCreate
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint with a fresh secret; return it and the secret (shown once)."""
    endpoint = WebhookEndpoint(
        brand_id=brand_of(principal),
        url=check_url(data.url),
        description=data.description.strip(),
        event_types=check_event_types(data.event_types),
        status=EndpointStatus.ACTIVE,
    )
    session.add(endpoint)
    session.flush()
    secret = signing.new_secret()
    session.add(WebhookSecret(endpoint_id=endpoint.id, secret=secret))
    session.flush()
    return endpoint, secret


def update_endpoint(
    session: Session, principal: Principal, endpoint_id: uuid.UUID, data: EndpointUpdate
) -> WebhookEndpoint:
    """Change an endpoint's address, description, events or status."""
    endpoint = get_endpoint(session, principal, endpoint_id, for_update=True)
    if data.url is not None:
        endpoint.url = check_url(data.url)
    if data.description is not None:
        endpoint.description = data.description.strip()
    if data.event_types is not None:
        endpoint.event_types = check_event_types(data.event_types)
    if data.status == EndpointStatus.DISABLED and endpoint.status == EndpointStatus.ACTIVE:
        disable(session, endpoint, DisabledReason.BY_BRAND)
    elif data.status == EndpointStatus.ACTIVE and endpoint.status == EndpointStatus.DISABLED:
        enable(endpoint)
    endpoint.updated_at = clock.now()
    session.flush()
    return endpoint


def enable(endpoint: WebhookEndpoint) -> None:
    """Turn deliveries back on; earlier messages are sent again only by a replay."""
    endpoint.status = EndpointStatus.ACTIVE
    endpoint.disabled_reason = None
    endpoint.disabled_at = None
    endpoint.failing_since = None


def disable(session: Session, endpoint: WebhookEndpoint, reason: DisabledReason) -> None:
    """Stop deliveries to an endpoint; its pending ones are canceled."""
    now = clock.now()
    endpoint.status = EndpointStatus.DISABLED
    endpoint.disabled_reason = reason
    endpoint.disabled_at = now
    endpoint.updated_at = now
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.CANCELED, next_attempt_at=None, finished_at=now),
        execution_options={"synchronize_session": False},
    )
    session.flush()


def brand_admin_addresses(session: Session, brand_id: uuid.UUID) -> list[str]:
    """The addresses of the brand's active admins."""
    return list(
        session.scalars(
            select(User.email)
            .where(User.brand_id == brand_id, User.role == Role.BRAND_ADMIN, User.is_active)
            .order_by(User.email)
        )
    )


def _tell_admins(session: Session, endpoint: WebhookEndpoint, why: str) -> None:
    text = (
        f"GigCX stopped sending webhooks to {endpoint.url}\n"
        f"({endpoint.description or 'no description'}): {why}\n\n"
        "Messages are no longer sent to it. When the receiver works again, enable the endpoint\n"
        "in the brand console (Webhooks) and replay the messages it missed."
    )
    for address in brand_admin_addresses(session, endpoint.brand_id):
        outbound.queue_email(
            session,
            brand_id=endpoint.brand_id,
            to=address,
            subject=f"Webhook endpoint disabled: {endpoint.url[:200]}",
            text=text,
            kind="webhook_disabled",
            auto_submitted=AutoSubmitted.AUTO_GENERATED,
        )


def disable_for_gone(session: Session, endpoint: WebhookEndpoint) -> None:
    """The receiver answered 410 Gone: disable at once and tell the brand's admins."""
    disable(session, endpoint, DisabledReason.GONE)
    _tell_admins(session, endpoint, "it answered 410 Gone, which asks us to stop.")


def disable_for_failing(session: Session, endpoint: WebhookEndpoint) -> None:
    """Every attempt failed for five days: disable and tell the brand's admins."""
    since = endpoint.failing_since.strftime("%Y-%m-%d %H:%M UTC") if endpoint.failing_since else ""
    disable(session, endpoint, DisabledReason.FAILING)
    _tell_admins(session, endpoint, f"every attempt since {since} failed, for five days.")


def rotate_secret(
    session: Session, principal: Principal, endpoint_id: uuid.UUID
) -> tuple[str, WebhookEndpoint, WebhookSecret | None]:
    """Give an endpoint a new secret; the current one signs alongside it for 24 hours.

    Returns the new secret (shown once), the endpoint and the previous secret, if any.
    """
    endpoint = get_endpoint(session, principal, endpoint_id, for_update=True)
    now = clock.now()
    olds = session.scalars(
        select(WebhookSecret).where(WebhookSecret.endpoint_id == endpoint.id)
    ).all()
    previous: WebhookSecret | None = None
    for old in olds:
        if old.expires_at is not None and old.expires_at <= now:
            session.delete(old)
        elif old.expires_at is None:
            old.expires_at = now + ROTATION_OVERLAP
            previous = old
    secret = signing.new_secret()
    session.add(WebhookSecret(endpoint_id=endpoint.id, secret=secret, created_at=now))
    endpoint.updated_at = now
    session.flush()
    return secret, endpoint, previous
