"""Identifiers and secrets."""

import hashlib
import secrets
import uuid


def new_id() -> uuid.UUID:
    """Return a new random identifier."""
    return uuid.uuid4()


def new_secret(nbytes: int = 32) -> str:
    """Return a URL-safe random secret."""
    return secrets.token_urlsafe(nbytes)


def sha256_hex(text: str) -> str:
    """Return the SHA-256 of a high-entropy secret, for storage and lookup."""
    return hashlib.sha256(text.encode()).hexdigest()
