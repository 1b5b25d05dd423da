import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.privacy.orm import encrypt_columns
from gigcx.privacy.sealing import BrandOf, Classification


class SsoConfig(IdMixin, CreatedMixin, Base):
    """A brand's OpenID Connect provider, through which its staff sign in."""

    __tablename__ = "sso_configs"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), unique=True)
    # The provider's issuer; its discovery document is <issuer>/.well-known/openid-configuration.
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret: Mapped[str] = mapped_column(Text)
    # Lower-case domains such as ["example.com"]; a signed-in email must be in one of them.
    allowed_domains: Mapped[list[Any]] = mapped_column(default=list)
    # The role of someone who signs in for the first time; "" lets only existing staff in.
    new_staff_role: Mapped[str] = mapped_column(String(32), default="")
    # The brand's staff may not sign in with a password (platform admins always may).
    is_required: Mapped[bool] = mapped_column(default=False)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime | None]


class SsoIdentity(IdMixin, CreatedMixin, Base):
    """A user's account at a provider: its subject (``sub``) stays when the email changes."""

    __tablename__ = "sso_identities"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    # The email the provider last vouched for, for the staff page.
    email: Mapped[str] = mapped_column(String(254), default="")
    last_signed_in_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("issuer", "subject"),)


class SsoLogin(IdMixin, CreatedMixin, Base):
    """A sign-in under way: sent to the provider, waiting for it to send the browser back."""

    __tablename__ = "sso_logins"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), index=True)
    # SHA-256 of the ``state`` handed to the provider (and kept in the browser's cookie).
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(String(128))
    redirect_uri: Mapped[str] = mapped_column(String(500))
    next_path: Mapped[str] = mapped_column(String(500), default="")
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


encrypt_columns(SsoConfig, brand=BrandOf("brand_id"), client_secret=Classification.SECRET)
