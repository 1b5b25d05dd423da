"""A signed-in user's own security: the authenticator app, recovery codes, signing out everywhere,
and a brand's rule that its admins use a second factor. Every change is audited."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth import passwords, second_factor
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import User
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand
from gigcx.errors import Conflict, DomainError, InvalidInput, PermissionDenied


class SecondFactorRequired(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            "your brand asks its admins to sign in with a second factor: turn on an "
            "authenticator app first (the account security page /account/security, or "
            "POST /api/v1/auth/second-factor/setup then /confirm)"
        )


class SecondFactorKept(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "your brand asks its admins to sign in with a second factor, so it cannot be "
            "turned off; set up a new app by asking another admin to lift the rule first"
        )


@dataclass(frozen=True)
class TotpSetup:
    secret: str
    otpauth_uri: str


@dataclass(frozen=True)
class SecurityStatus:
    is_on: bool
    is_pending: bool
    recovery_codes_left: int
    is_required: bool


def user_of(session: Session, principal: Principal) -> User:
    if principal.user_id is None:
        raise PermissionDenied("an API key has no account; sign in as a user")
    user = session.get(User, principal.user_id)
    if user is None:
        raise PermissionDenied("this account no longer exists; sign in again")
    return user


def is_required(session: Session, user: User) -> bool:
    """Return whether the user's brand asks them (an admin) to use a second factor."""
    if user.role != Role.BRAND_ADMIN or user.brand_id is None:
        return False
    return bool(
        session.scalar(select(Brand.admins_need_second_factor).where(Brand.id == user.brand_id))
    )


def is_missing(session: Session, principal: Principal) -> bool:
    """Return whether this signed-in brand admin still has to turn on their second factor."""
    if principal.role is not Role.BRAND_ADMIN or principal.user_id is None:
        return False
    row = session.execute(
        select(User.totp_enabled_at, Brand.admins_need_second_factor)
        .join(Brand, Brand.id == User.brand_id)
        .where(User.id == principal.user_id)
    ).first()
    return row is not None and bool(row[1]) and row[0] is None


def status(session: Session, principal: Principal) -> SecurityStatus:
    user = user_of(session, principal)
    return SecurityStatus(
        is_on=second_factor.is_on(user),
        is_pending=user.totp_secret is not None and not second_factor.is_on(user),
        recovery_codes_left=second_factor.recovery_codes_left(session, user.id),
        is_required=is_required(session, user),
    )


def start_totp(session: Session, principal: Principal) -> TotpSetup:
    """Begin setting up an authenticator app: a new secret, off until a code confirms it."""
    user = user_of(session, principal)
    secret = second_factor.begin(session, user)
    return TotpSetup(secret=secret, otpauth_uri=second_factor.provisioning_uri(user))


def pending_totp(session: Session, principal: Principal) -> TotpSetup | None:
    """The set-up waiting for its confirming code, to show it again."""
    user = user_of(session, principal)
    if user.totp_secret is None or second_factor.is_on(user):
        return None
    return TotpSetup(secret=user.totp_secret, otpauth_uri=second_factor.provisioning_uri(user))


def confirm_totp(
    session: Session, principal: Principal, code: str, *, keep_token_id: uuid.UUID | None
) -> list[str]:
    """Turn the app on with a code from it; other sessions end; return the recovery codes."""
    user = user_of(session, principal)
    try:
        codes = second_factor.confirm(session, user, code)
    except second_factor.SecondFactorWrong as error:
        raise InvalidInput(error.detail) from None
    passwords.end_sessions(session, user_id=user.id, except_token_id=keep_token_id)
    audit_service.record(session, action="auth.second_factor_on", data={}, **_about(user))
    return codes


def turn_off_totp(session: Session, principal: Principal, *, password: str, code: str) -> None:
    """Turn the app off, with the password and a current code (or a recovery code)."""
    user = user_of(session, principal)
    if is_required(session, user):
        raise SecondFactorKept()
    try:
        auth_service.authenticate_password(session, email=user.email, password=password)
    except DomainError:
        raise passwords.CurrentPasswordWrong() from None
    try:
        second_factor.verify(session, user, code)
    except second_factor.SecondFactorWrong as error:
        raise InvalidInput(error.detail) from None
    second_factor.turn_off(session, user)
    audit_service.record(session, action="auth.second_factor_off", data={}, **_about(user))


def sign_out_everywhere(session: Session, principal: Principal) -> None:
    """End every session of the user: each sign-in token, in browsers and API clients."""
    user = user_of(session, principal)
    passwords.end_sessions(session, user_id=user.id)
    audit_service.record(session, action="auth.signed_out_everywhere", data={}, **_about(user))


def brand_of(session: Session, principal: Principal) -> Brand:
    """The brand whose sign-in rules this brand admin (or admin key) manages."""
    if not principal.can_manage_brand or principal.brand_id is None:
        raise PermissionDenied("only the brand's admins manage its sign-in rules")
    return session.get_one(Brand, principal.brand_id)


def set_admin_rule(session: Session, principal: Principal, *, is_required: bool) -> Brand:
    """Say whether the brand's admins must sign in with a second factor."""
    brand = brand_of(session, principal)
    if brand.admins_need_second_factor != is_required:
        brand.admins_need_second_factor = is_required
        audit_service.record(
            session,
            actor=principal,
            action="brand.admins_need_second_factor",
            subject_type="brand",
            subject_id=brand.id,
            brand_id=brand.id,
            data={"is_required": is_required},
        )
    session.flush()
    return brand


def _about(user: User) -> dict[str, Any]:
    return {
        "actor": Principal(
            role=Role(user.role), user_id=user.id, brand_id=user.brand_id, expert_id=user.expert_id
        ),
        "subject_type": "user",
        "subject_id": user.id,
        "brand_id": user.brand_id,
    }
