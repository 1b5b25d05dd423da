"""Choosing a new password: by a mailed single-use link, or signed in with the current one."""

import math
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from gigcx.auth.models import AccessToken, PasswordResetRequest, PasswordResetToken, User
from gigcx.auth.service import authenticate_password, hash_password, normalize_email
from gigcx.errors import DomainError, InvalidInput
from gigcx.kit import clock
from gigcx.kit.ids import new_secret, sha256_hex

RESET_TTL = timedelta(hours=1)
LIMIT_WINDOW = timedelta(hours=1)
# Requests per address and per IP address within the window, known addresses or not.
REQUESTS_PER_ADDRESS = 3
REQUESTS_PER_IP = 10
PASSWORD_MIN = 8
PASSWORD_MAX = 200
PASSWORD_RULE = f"Choose a password of {PASSWORD_MIN} to {PASSWORD_MAX} characters."


class TooManyResetRequests(DomainError):
    status_code = 429

    def __init__(self, minutes: int) -> None:
        self.minutes = minutes
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(
            f"too many password reset requests from here or for this address; "
            f"try again in {minutes} {unit}"
        )


class ResetLinkInvalid(DomainError):
    status_code = 400

    def __init__(self) -> None:
        super().__init__(
            "this password reset link is not valid: it was already used, it is more than an "
            "hour old, or it was copied wrongly; ask for a new one on the sign-in page"
        )


class CurrentPasswordWrong(DomainError):
    status_code = 400

    def __init__(self) -> None:
        super().__init__("the current password is wrong; type it again")


def check_new_password(password: str) -> None:
    """Refuse a password the sign-up would refuse."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise InvalidInput(PASSWORD_RULE.lower().rstrip("."))


@dataclass(frozen=True)
class ResetIssued:
    user: User
    token: str


def request_reset(session: Session, *, email: str, ip_address: str) -> ResetIssued | None:
    """Count the request against its limits; for an active account, issue a reset token.

    The answer is the same whether or not the address has an account; only the caller that
    mails the token knows which it was.
    """
    email = normalize_email(email)
    email_hash = sha256_hex(email)
    ip_address = ip_address[:64]
    now = clock.now()
    since = now - LIMIT_WINDOW
    session.execute(delete(PasswordResetRequest).where(PasswordResetRequest.created_at < since))
    session.execute(
        delete(PasswordResetToken).where(PasswordResetToken.expires_at < now - timedelta(days=1))
    )
    for column, value, limit in (
        (PasswordResetRequest.email_hash, email_hash, REQUESTS_PER_ADDRESS),
        (PasswordResetRequest.ip_address, ip_address, REQUESTS_PER_IP),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(PasswordResetRequest.created_at)).where(
                column == value, PasswordResetRequest.created_at >= since
            )
        ).one()
        if count >= limit:
            wait = (oldest + LIMIT_WINDOW - now).total_seconds() if oldest else 60.0
            raise TooManyResetRequests(max(1, math.ceil(wait / 60)))
    session.add(PasswordResetRequest(email_hash=email_hash, ip_address=ip_address))
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active:
        session.flush()
        return None
    plain = new_secret()
    session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=sha256_hex(plain), expires_at=now + RESET_TTL
        )
    )
    session.flush()
    return ResetIssued(user=user, token=plain)


def user_of_reset_token(session: Session, token: str) -> User:
    """The active user a valid, unused reset token belongs to."""
    if not token or len(token) > 200:
        raise ResetLinkInvalid()
    row = session.execute(
        select(PasswordResetToken, User)
        .join(User, User.id == PasswordResetToken.user_id)
        .where(PasswordResetToken.token_hash == sha256_hex(token))
    ).first()
    if row is None:
        raise ResetLinkInvalid()
    reset, user = row
    if reset.used_at is not None or reset.expires_at <= clock.now() or not user.is_active:
        raise ResetLinkInvalid()
    return user


def reset_password(session: Session, *, token: str, new_password: str) -> User:
    """Set a new password with a reset token; the token and every open session end."""
    user = user_of_reset_token(session, token)
    check_new_password(new_password)
    # The first of two concurrent uses wins: the second updates no row.
    used = session.execute(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.token_hash == sha256_hex(token),
            PasswordResetToken.used_at.is_(None),
        )
        .values(used_at=clock.now())
    )
    if getattr(used, "rowcount", 0) != 1:
        raise ResetLinkInvalid()
    # Other links mailed to the same person stop working too.
    session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=clock.now())
    )
    user.password_hash = hash_password(new_password)
    end_sessions(session, user_id=user.id)
    session.flush()
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
    user = session.get(User, user_id)
    if user is None:
        raise CurrentPasswordWrong()
    try:
        authenticate_password(session, email=user.email, password=current_password)
    except DomainError:
        raise CurrentPasswordWrong() from None
    check_new_password(new_password)
    user.password_hash = hash_password(new_password)
    end_sessions(session, user_id=user.id, except_token_id=keep_token_id)
    session.flush()
    return user


def end_sessions(
    session: Session, *, user_id: uuid.UUID, except_token_id: uuid.UUID | None = None
) -> None:
    """Revoke the user's sign-in tokens, all but one if given."""
    statement = update(AccessToken).where(
        AccessToken.user_id == user_id, AccessToken.revoked_at.is_(None)
    )
    if except_token_id is not None:
        statement = statement.where(AccessToken.id != except_token_id)
    session.execute(statement.values(revoked_at=clock.now()))


def token_id_of(session: Session, plain: str) -> uuid.UUID | None:
    """The id of the sign-in token ``plain``, to keep it when others end."""
    return session.scalar(select(AccessToken.id).where(AccessToken.token_hash == sha256_hex(plain)))
