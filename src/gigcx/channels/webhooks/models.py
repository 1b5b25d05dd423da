import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.channels.webhooks.enums import (
    AttemptOutcome,
    DeliveryStatus,
    DisabledReason,
    EndpointStatus,
)
from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.kit import clock
from gigcx.privacy.orm import encrypt_columns
from gigcx.privacy.sealing import BrandOf, Classification


class WebhookEndpoint(IdMixin, CreatedMixin, Base):
    """A brand's receiver of webhooks: where to POST and which events it wants."""

    __tablename__ = "webhook_endpoints"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="")
    # Event type names; empty means every event.
    event_types: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[EndpointStatus] = mapped_column(String(16), default=EndpointStatus.ACTIVE)
    disabled_reason: Mapped[DisabledReason | None] = mapped_column(String(16))
    disabled_at: Mapped[datetime | None]
    # When the first of an unbroken run of failed attempts happened; cleared by a success.
    failing_since: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class WebhookSecret(IdMixin, CreatedMixin, Base):
    """A signing secret of an endpoint; after a rotation the old one signs on for a day."""

    __tablename__ = "webhook_secrets"

    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    # whsec_ and the base64 of the key, as the receiver configures it.
    secret: Mapped[str] = mapped_column(Text)
    # None while it is the current secret.
    expires_at: Mapped[datetime | None]


class WebhookMessage(CreatedMixin, Base):
    """One event as sent to a brand's endpoints; its id is the ``webhook-id`` of every try."""

    __tablename__ = "webhook_messages"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    event_type: Mapped[str] = mapped_column(String(64))
    # {type, timestamp, data}: ids and a few fields that name nobody.
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (Index("ix_webhook_messages_brand", "brand_id", "created_at"),)


class WebhookDelivery(IdMixin, CreatedMixin, Base):
    """One message on its way to one endpoint, with its retry schedule."""

    __tablename__ = "webhook_deliveries"

    message_id: Mapped[str] = mapped_column(ForeignKey("webhook_messages.id"))
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    status: Mapped[DeliveryStatus] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    # Attempts made so far, replays included.
    attempt_count: Mapped[int] = mapped_column(default=0)
    # Where the next attempt stands in the retry schedule (0: the first, sent at once).
    step: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    # Bumped whenever a send job is queued; a job carrying an older number does nothing.
    job_token: Mapped[int] = mapped_column(default=0)
    last_status_code: Mapped[int | None]
    finished_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("message_id", "endpoint_id"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "created_at"),
    )


class WebhookAttempt(IdMixin, Base):
    """One POST of a message to an endpoint (or the reason none was made)."""

    __tablename__ = "webhook_attempts"

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    n: Mapped[int]
    attempted_at: Mapped[datetime]
    outcome: Mapped[AttemptOutcome] = mapped_column(String(16))
    status_code: Mapped[int | None]
    # The start of the receiver's answer, at most 1 kB.
    response_snippet: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("delivery_id", "n"),)


encrypt_columns(
    WebhookSecret,
    brand=BrandOf("endpoint_id", parent=WebhookEndpoint.__table__),
    secret=Classification.SECRET,
)
encrypt_columns(WebhookMessage, brand=BrandOf("brand_id"), payload=Classification.PERSONAL)
