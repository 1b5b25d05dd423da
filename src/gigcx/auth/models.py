import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.auth.enums import ApiScope, Role
from gigcx.db.base import Base, CreatedMixin, IdMixin


class User(IdMixin, CreatedMixin, Base):
    """Someone who signs in: platform admin, brand staff or an expert."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(32))
    brand_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("brands.id"), index=True)
    expert_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("experts.id"), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    # The authenticator app's shared secret (base32); set while enrolling, on once confirmed.
    # Encrypted at rest (registered in gigcx.privacy.models: auth sits below privacy).
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_enabled_at: Mapped[datetime | None]
    # The last 30-second time step whose code was accepted: a code works once.
    totp_last_step: Mapped[int | None]


class AccessToken(IdMixin, CreatedMixin, Base):
    """A bearer token handed out at sign-in; only its SHA-256 is stored."""

    __tablename__ = "access_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ApiKey(IdMixin, CreatedMixin, Base):
    """A brand's key for intake and management; only its SHA-256 is stored."""

    __tablename__ = "api_keys"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # What the key may do (gigcx.auth.enums.ApiScope); enforced in gigcx.api.deps.
    scope: Mapped[ApiScope] = mapped_column(
        String(16), default=ApiScope.ADMIN, server_default=ApiScope.ADMIN.value
    )
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class PasswordResetToken(IdMixin, CreatedMixin, Base):
    """A mailed link to choose a new password: single use, expiring, only its SHA-256 stored."""

    __tablename__ = "password_reset_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class PasswordResetRequest(IdMixin, CreatedMixin, Base):
    """One "forgot your password" request, counted against limits per address and per IP.

    Kept for known and unknown addresses alike, so the limits say nothing about which exist.
    """

    __tablename__ = "password_reset_requests"

    # SHA-256 of the normalised address: the limit works without keeping the address.
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    ip_address: Mapped[str] = mapped_column(String(64), index=True)


class RecoveryCode(IdMixin, CreatedMixin, Base):
    """One of the codes that stand in for the authenticator app, each once; stored as SHA-256."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class SignInChallenge(IdMixin, CreatedMixin, Base):
    """A sign-in whose password was right, waiting for the second factor; used once."""

    __tablename__ = "sign_in_challenges"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Attempt(IdMixin, CreatedMixin, Base):
    """One counted attempt (a failed sign-in, a contact form sent...) for the rate limits.

    ``key_hash`` is a keyed hash of what is limited (an account, an IP address), never the
    value itself. Rows older than the longest window of their rule are deleted as they pass.
    """

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_rule_key_created", "rule", "key_hash", "created_at"),)

    rule: Mapped[str] = mapped_column(String(40))
    key_hash: Mapped[str] = mapped_column(String(64))
