"""Password reset by email and password changes, for everyone who signs in with a password.

The tokens and limits live in ``gigcx.auth.passwords``; this module mails the link and records
what happened in the audit log.
"""

import uuid
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth import limits, passwords
from gigcx.auth.models import User
from gigcx.auth.service import normalize_email, principal_for_user
from gigcx.channels.email.enums import AutoSubmitted
from gigcx.channels.email.outbound import queue_email

RESET_KIND = "password_reset"
RESET_PATH = "/password-reset/confirm"
RESET_REQUESTED = (
    "If an account uses this address, we have sent it a link to choose a new password. "
    "The link works once, for an hour. No mail? Check the spam folder or the spelling."
)


def reset_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{RESET_PATH}?{urlencode({'token': token})}"


def request_password_reset(session: Session, *, email: str, ip_address: str, base_url: str) -> None:
    """Mail a reset link if the address has an account; the caller answers the same either way."""
    issued = passwords.request_reset(session, email=email, ip_address=ip_address)
    if issued is None:
        return
    link = reset_link(base_url, issued.token)
    name = issued.user.display_name or issued.user.email
    text = (
        f"Hello {name},\n\n"
        "someone (we hope you) asked to reset the password of your GigCX account.\n"
        f"Choose a new password here within the hour:\n\n{link}\n\n"
        "The link works once. Setting a new password signs you out everywhere.\n"
        "If you did not ask for this, ignore this mail: your password stays as it is.\n"
    )
    queue_email(
        session,
        brand_id=issued.user.brand_id,
        to=issued.user.email,
        subject="Reset your GigCX password",
        text=text,
        kind=RESET_KIND,
        auto_submitted=AutoSubmitted.AUTO_GENERATED,
    )
    audit_service.record(session, action="auth.password_reset_requested", **_about(issued.user))


def reset_password(session: Session, *, token: str, new_password: str) -> User:
    """Set a new password with a mailed link; all the user's sessions end."""
    user = passwords.reset_password(session, token=token, new_password=new_password)
    # The mailbox is proven: a lock an attacker caused by guessing ends here.
    limits.forget(session, limits.SIGN_IN_ACCOUNT, normalize_email(user.email)[:254])
    audit_service.record(session, action="auth.password_reset", **_about(user))
    return user


def change_password(
    session: Session,
    *,
    user_id: uuid.UUID,
    current_password: str,
    new_password: str,
    keep_token_id: uuid.UUID | None = None,
) -> User:
    """Change a signed-in user's password; their other sessions end."""
    user = passwords.change_password(
        session,
        user_id=user_id,
        current_password=current_password,
        new_password=new_password,
        keep_token_id=keep_token_id,
    )
    audit_service.record(session, action="auth.password_changed", **_about(user))
    return user


def _about(user: User) -> dict[str, Any]:
    """The audit event's actor and subject: the user, acting on their own account."""
    return {
        "actor": principal_for_user(user),
        "subject_type": "user",
        "subject_id": user.id,
        "brand_id": user.brand_id,
    }
