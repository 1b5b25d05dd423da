"""Identity and background check status from a provider, by signed webhook (Standard Webhooks).

The provider signs ``{webhook-id}.{webhook-timestamp}.{body}`` with HMAC-SHA256 under the
platform's secret and sends ``v1,<base64 signature>`` in ``webhook-signature`` (several,
space-separated, while it rotates secrets). A timestamp further than the tolerance from now is
refused (stale or from the future), and so is a webhook-id already received (a replay). Only
the status is stored; no documents.
"""

import base64
import binascii
import hashlib
import hmac
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import SYSTEM
from gigcx.experts import service as experts_service
from gigcx.experts.compliance.errors import (
    WebhookNotConfigured,
    WebhookReplayed,
    WebhookSignatureInvalid,
)
from gigcx.experts.compliance.models import IdentityCheck
from gigcx.experts.compliance.schemas import IdentityCheckReport
from gigcx.experts.errors import ExpertNotFound
from gigcx.experts.models import Expert
from gigcx.kit import clock

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of Standard Webhooks secrets, not one


def secret_key(secret: str) -> bytes:
    """The HMAC key: the base64 after ``whsec_``, or the secret's own bytes otherwise."""
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
        except binascii.Error:
            pass
    return secret.encode("utf-8")


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for a message (providers and tests use it alike)."""
    content = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
    tolerance_seconds: int,
) -> str:
    """Check a delivery's signature and timestamp; return its webhook-id."""
    if not secret:
        raise WebhookNotConfigured()
    webhook_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not webhook_id or not stamp or not signatures:
        raise WebhookSignatureInvalid(
            "send the webhook-id, webhook-timestamp and webhook-signature headers"
        )
    if len(webhook_id) > 200:
        raise WebhookSignatureInvalid("the webhook-id is longer than 200 characters")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookSignatureInvalid(
            "webhook-timestamp must be whole seconds since 1970"
        ) from None
    if abs(now.timestamp() - timestamp) > tolerance_seconds:
        raise WebhookSignatureInvalid(
            f"webhook-timestamp is more than {tolerance_seconds} seconds from now "
            "(stale or replayed)"
        )
    expected = sign(secret, webhook_id, timestamp, body).encode()
    if not any(hmac.compare_digest(expected, given.encode()) for given in _v1(signatures.split())):
        raise WebhookSignatureInvalid("the signature does not match the body and the secret")
    return webhook_id


def _v1(signatures: Iterable[str]) -> Iterable[str]:
    return (s for s in signatures if s.startswith("v1,"))


def record_identity_check(
    session: Session, *, webhook_id: str, report: IdentityCheckReport
) -> IdentityCheck:
    """Store a verified status report; an expert's newest check (by checked_at) counts."""
    if session.scalar(select(IdentityCheck.id).where(IdentityCheck.webhook_id == webhook_id)):
        raise WebhookReplayed()
    if session.get(Expert, report.expert_id) is None:
        raise ExpertNotFound()
    check = IdentityCheck(
        expert_id=report.expert_id,
        provider=report.provider,
        status=report.status,
        checked_at=report.checked_at,
        received_at=clock.now(),
        webhook_id=webhook_id,
        reference=report.reference,
    )
    try:
        with session.begin_nested():
            session.add(check)
    except IntegrityError:
        raise WebhookReplayed() from None  # the same delivery, received twice at once
    audit_service.record(
        session,
        actor=SYSTEM,
        action="compliance.identity_check_received",
        subject_type="expert",
        subject_id=report.expert_id,
        brand_id=None,
        data={"provider": report.provider, "status": str(report.status)},
    )
    experts_service.request_dispatch(session, report.expert_id)
    return check


def latest_checks(
    session: Session, expert_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, IdentityCheck]:
    """Each expert's newest identity check, if any."""
    ids = list(expert_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(IdentityCheck)
        .where(IdentityCheck.expert_id.in_(ids))
        .order_by(IdentityCheck.checked_at, IdentityCheck.received_at)
    ).all()
    return {row.expert_id: row for row in rows}
