"""Standard Webhooks signatures: HMAC-SHA256 of ``{id}.{timestamp}.{body}`` with a whsec_ key."""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix, not a secret)
# The specification allows 24 to 64 random bytes.
SECRET_BYTES = 32


def new_secret(nbytes: int = SECRET_BYTES) -> str:
    """A fresh ``whsec_`` secret of ``nbytes`` random bytes."""
    if not 24 <= nbytes <= 64:
        raise ValueError("a webhook secret has 24 to 64 random bytes")
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(nbytes)).decode()


def key_of(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,<base64>`` signature of one attempt's body."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(
    secrets_in_use: Iterable[str], *, message_id: str, timestamp: int, body: bytes
) -> str:
    """The ``webhook-signature`` value: one signature per secret, space-separated."""
    return " ".join(
        sign(secret, message_id=message_id, timestamp=timestamp, body=body)
        for secret in secrets_in_use
    )
