"""Signing in with a password and a second factor, under the rate limits, audited.

The web form and the API share these steps. A failed attempt is answered with an error whose
request rolls back, so the caller records the failure (``record_failure``) in the unit of work
it keeps after the rollback (``gigcx.api.deps.keep_only``).
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth import limits, second_factor
from gigcx.auth.models import User
from gigcx.auth.principal import SYSTEM
from gigcx.auth.service import normalize_email, principal_for_user
from gigcx.channels.sso import service as sso_service


def limited(email: str, address: str) -> Iterable[limits.Limited]:
    """The sign-in limits an attempt counts against: its account and its address."""
    return (
        (limits.SIGN_IN_ACCOUNT, normalize_email(email)[:254]),
        (limits.SIGN_IN_ADDRESS, address[:64]),
    )


def check_password(session: Session, *, email: str, password: str, address: str) -> User:
    """Refuse with 429 when over the limits; return the user these credentials sign in."""
    limits.check(session, limited(email, address))
    return sso_service.password_sign_in(session, email=email, password=password)


def check_second_factor(session: Session, user: User, code: str, *, address: str) -> str:
    """Take the user's TOTP or recovery code once, under the limits; return its kind."""
    limits.check(session, limited(user.email, address))
    kind = second_factor.verify(session, user, code)
    if kind == "recovery":
        left = second_factor.recovery_codes_left(session, user.id)
        audit_service.record(
            session, action="auth.recovery_code_used", data={"left": left}, **_about(user)
        )
    return kind


def record_failure(session: Session, *, email: str, address: str, reason: str) -> None:
    """Count a failed sign-in against the account and the address; audit it for an account."""
    limits.count(session, limited(email, address))
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is not None:
        audit_service.record(
            session,
            actor=SYSTEM,
            action="auth.sign_in_failed",
            subject_type="user",
            subject_id=user.id,
            brand_id=user.brand_id,
            data={"reason": reason, "address": address[:64]},
        )


def record_success(session: Session, user: User, *, address: str, method: str) -> None:
    """Clear the account's failed attempts (never the address's) and audit the sign-in."""
    limits.forget(session, limits.SIGN_IN_ACCOUNT, normalize_email(user.email)[:254])
    audit_service.record(
        session,
        action="auth.signed_in",
        data={"method": method, "address": address[:64]},
        **_about(user),
    )


def _about(user: User) -> dict[str, Any]:
    return {
        "actor": principal_for_user(user),
        "subject_type": "user",
        "subject_id": user.id,
        "brand_id": user.brand_id,
    }
