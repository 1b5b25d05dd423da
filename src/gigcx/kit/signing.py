"""Tokens that prove a link was made by us, without storing them."""

import hashlib
import hmac


def sign(secret: str, message: str) -> str:
    """Return a URL-safe signature of ``message``."""
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def verify(secret: str, message: str, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, message), signature)
