import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.auth.enums import Role
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
