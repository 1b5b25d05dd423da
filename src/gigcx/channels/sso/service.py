"""Single sign-on per brand: the sign-ins under way, linking company accounts, passwords.

A sign-in takes three short units of work with the provider's network calls between them
(see ``gigcx.web.routes.sso``): ``begin_sign_in`` writes the pending sign-in, ``claim_sign_in``
uses it up when the browser comes back, ``complete_sign_in`` links or creates the user.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import User
from gigcx.brands import staff as staff_service
from gigcx.brands.models import Brand
from gigcx.channels.sso import oidc
from gigcx.channels.sso.errors import SsoFailed, SsoNotConfigured
from gigcx.channels.sso.models import SsoConfig, SsoIdentity, SsoLogin
from gigcx.errors import PermissionDenied
from gigcx.kit import clock
from gigcx.kit.ids import new_secret, sha256_hex
from gigcx.kit.text import text_problem

LOGIN_TTL = timedelta(minutes=10)


class SsoRequired(PermissionDenied):
    def __init__(self, brand_name: str) -> None:
        super().__init__(
            f"{brand_name} asks its staff to sign in with their company account: use "
            "\u201cSign in with your company account\u201d instead of a password"
        )


@dataclass(frozen=True)
class ProviderSettings:
    """What a sign-in needs of a brand's settings, read before the provider is called."""

    brand_id: uuid.UUID
    brand_name: str
    issuer: str
    client_id: str
    client_secret: str
    allowed_domains: tuple[str, ...]
    new_staff_role: str


@dataclass(frozen=True)
class PendingSignIn:
    provider: ProviderSettings
    state: str
    nonce: str
    code_challenge: str
    redirect_uri: str


@dataclass(frozen=True)
class ClaimedSignIn:
    provider: ProviderSettings
    nonce: str
    code_verifier: str
    redirect_uri: str
    next_path: str


# Signing in --------------------------------------------------------------------------------


def _settings_of(config: SsoConfig, brand: Brand) -> ProviderSettings:
    return ProviderSettings(
        brand_id=brand.id,
        brand_name=brand.name,
        issuer=config.issuer,
        client_id=config.client_id,
        client_secret=config.client_secret,
        allowed_domains=tuple(config.allowed_domains),
        new_staff_role=config.new_staff_role,
    )


def find_provider(session: Session, company: str) -> ProviderSettings:
    """The provider for a brand named by its slug, a staff email address or an email domain."""
    text = company.strip().lower()
    if not text or len(text) > 254:
        raise SsoNotConfigured(
            "enter your work email address or your company's GigCX name to sign in with your "
            "company account"
        )
    rows = session.execute(
        select(SsoConfig, Brand)
        .join(Brand, Brand.id == SsoConfig.brand_id)
        .where(SsoConfig.is_enabled.is_(True))
    ).all()
    domain = text.rpartition("@")[2]
    for config, brand in rows:
        if brand.slug == text or domain in config.allowed_domains:
            return _settings_of(config, brand)
    raise SsoNotConfigured(
        f"no company signs in with its own accounts at {company.strip()!r}; check the "
        "address, or sign in with your email and password"
    )


def begin_sign_in(
    session: Session, provider: ProviderSettings, *, redirect_uri: str, next_path: str
) -> PendingSignIn:
    """Write a sign-in under way with fresh state, nonce and PKCE verifier."""
    now = clock.now()
    session.execute(delete(SsoLogin).where(SsoLogin.expires_at < now - timedelta(days=1)))
    state = new_secret()
    nonce = new_secret()
    verifier, challenge = oidc.new_pkce_pair()
    session.add(
        SsoLogin(
            brand_id=provider.brand_id,
            state_hash=sha256_hex(state),
            nonce=nonce,
            code_verifier=verifier,
            redirect_uri=redirect_uri,
            next_path=next_path[:500],
            expires_at=now + LOGIN_TTL,
        )
    )
    session.flush()
    return PendingSignIn(
        provider=provider,
        state=state,
        nonce=nonce,
        code_challenge=challenge,
        redirect_uri=redirect_uri,
    )


START_AGAIN = (
    "this sign-in link has expired or was already used (or began in another browser); "
    "start again with \u201cSign in with your company account\u201d"
)


def claim_sign_in(session: Session, *, state: str, browser_state: str) -> ClaimedSignIn:
    """Use up the sign-in the provider sent the browser back for; each state works once."""
    if not state or not browser_state or not secrets.compare_digest(state, browser_state):
        raise SsoFailed(START_AGAIN)
    login = session.scalar(
        select(SsoLogin).where(SsoLogin.state_hash == sha256_hex(state)).with_for_update()
    )
    if login is None or login.used_at is not None or login.expires_at <= clock.now():
        raise SsoFailed(START_AGAIN)
    login.used_at = clock.now()
    row = session.execute(
        select(SsoConfig, Brand)
        .join(Brand, Brand.id == SsoConfig.brand_id)
        .where(SsoConfig.brand_id == login.brand_id, SsoConfig.is_enabled.is_(True))
    ).first()
    if row is None:
        raise SsoFailed("single sign-on was turned off for this brand; sign in with a password")
    session.flush()
    return ClaimedSignIn(
        provider=_settings_of(*row),
        nonce=login.nonce,
        code_verifier=login.code_verifier,
        redirect_uri=login.redirect_uri,
        next_path=login.next_path,
    )


def _verified_email(claims: dict[str, Any], provider: ProviderSettings) -> str:
    email = claims.get("email")
    if (
        not isinstance(email, str)
        or "@" not in email
        or len(email) > 254
        or text_problem(email) is not None
    ):
        raise SsoFailed(
            "your company account did not share its email address with GigCX; ask your admin "
            "to allow the \u201cemail\u201d scope for GigCX at your identity provider"
        )
    email = auth_service.normalize_email(email)
    if claims.get("email_verified") not in (True, "true"):
        raise SsoFailed(
            f"your company account's email {email} is not verified at your identity provider; "
            "verify it there, then sign in again"
        )
    if email.rpartition("@")[2] not in provider.allowed_domains:
        allowed = ", ".join(provider.allowed_domains)
        raise SsoFailed(
            f"your company account's email {email} is not allowed for {provider.brand_name}: "
            f"it takes addresses at {allowed}"
        )
    return email


def _is_staff_of(user: User, brand_id: uuid.UUID) -> bool:
    return user.brand_id == brand_id and user.role in staff_service.STAFF_ROLES


def complete_sign_in(session: Session, provider: ProviderSettings, claims: dict[str, Any]) -> User:
    """Find (by subject, then by verified email) or create the staff user of verified claims."""
    email = _verified_email(claims, provider)
    subject = str(claims["sub"])
    if text_problem(subject) is not None:
        raise SsoFailed("your company account's subject (sub) is not text GigCX can store")
    name = str(claims.get("name") or "").strip()[:120]
    if text_problem(name) is not None:
        name = ""
    identity = session.scalar(
        select(SsoIdentity).where(
            SsoIdentity.issuer == provider.issuer, SsoIdentity.subject == subject
        )
    )
    first_time = ""
    if identity is not None:
        user = session.get_one(User, identity.user_id)
        if not _is_staff_of(user, provider.brand_id):
            raise SsoFailed(
                f"your company account is linked to a GigCX account that is not staff of "
                f"{provider.brand_name}; ask its admin"
            )
    else:
        user_or_none = session.scalar(select(User).where(User.email == email))
        if user_or_none is not None:
            user = user_or_none
            if not _is_staff_of(user, provider.brand_id):
                raise SsoFailed(
                    f"the GigCX account of {email} is not staff of {provider.brand_name}, so it "
                    "cannot sign in with this company account; sign in with its password"
                )
            other = session.scalar(
                select(SsoIdentity.id).where(
                    SsoIdentity.user_id == user.id, SsoIdentity.issuer == provider.issuer
                )
            )
            if other is not None:
                raise SsoFailed(
                    f"the GigCX account of {email} is linked to another company account; "
                    f"ask an admin of {provider.brand_name}"
                )
            first_time = "linked"
        elif provider.new_staff_role:
            user = auth_service.create_user(
                session,
                email=email,
                # Nobody knows this password: the person signs in with the company account,
                # or chooses a password through "Forgot your password?".
                password=new_secret(),
                role=Role(provider.new_staff_role),
                display_name=name or email.partition("@")[0],
                brand_id=provider.brand_id,
            )
            first_time = "created"
        else:
            raise SsoFailed(
                f"{email} is not yet staff of {provider.brand_name}, and only existing staff may "
                "sign in with their company account; ask one of its admins to invite you"
            )
        identity = SsoIdentity(user_id=user.id, issuer=provider.issuer, subject=subject)
        session.add(identity)
    if not user.is_active:
        raise SsoFailed(
            f"your GigCX account at {provider.brand_name} is deactivated; ask one of its admins"
        )
    identity.email = email
    identity.last_signed_in_at = clock.now()
    session.flush()
    about: dict[str, Any] = {
        "actor": auth_service.principal_for_user(user),
        "subject_type": "user",
        "subject_id": user.id,
        "brand_id": user.brand_id,
        # Who signed in is the subject; the address is kept only as a keyed hash.
        "data": {"email_hash": audit_service.email_digest(email), "role": str(user.role)},
    }
    if first_time == "created":
        audit_service.record(session, action="sso.staff_created", **about)
    elif first_time == "linked":
        audit_service.record(session, action="sso.linked", **about)
    audit_service.record(session, action="sso.signed_in", **about)
    return user


def password_sign_in(session: Session, *, email: str, password: str) -> User:
    """Check a password; refuse it for staff of a brand that requires single sign-on."""
    user = auth_service.authenticate_password(session, email=email, password=password)
    if user.brand_id is None or user.role not in staff_service.STAFF_ROLES:
        return user
    row = session.execute(
        select(SsoConfig.is_required, Brand.name)
        .join(Brand, Brand.id == SsoConfig.brand_id)
        .where(SsoConfig.brand_id == user.brand_id, SsoConfig.is_enabled.is_(True))
    ).first()
    if row is not None and row[0]:
        raise SsoRequired(row[1])
    return user
