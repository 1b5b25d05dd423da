"""A second factor at sign-in: an authenticator app (TOTP, RFC 6238) and recovery codes.

Enrolling stores a fresh secret that stays off until a code from the app confirms it. A code is
taken once: the time step of the last accepted code is kept, and only later steps pass. Ten
recovery codes are handed out once, stored as SHA-256, and each works once.
"""

import hmac
import secrets
import uuid
from datetime import timedelta

import pyotp
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from gigcx.auth.models import RecoveryCode, SignInChallenge, User
from gigcx.errors import Conflict, DomainError, NotAuthenticated
from gigcx.kit import clock
from gigcx.kit.ids import new_secret, sha256_hex

ISSUER = "GigCX"
RECOVERY_CODES = 10
CHALLENGE_TTL = timedelta(minutes=10)
# Codes of the step before and after the current one pass too: clocks drift.
DRIFT_STEPS = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class SecondFactorNeeded(NotAuthenticated):
    def __init__(self) -> None:
        super().__init__(
            "this account signs in with a second factor: send the 6-digit code from the "
            "authenticator app, or one of the recovery codes, as 'otp' together with the "
            "email and password"
        )


class SecondFactorWrong(NotAuthenticated):
    def __init__(self) -> None:
        super().__init__(
            "the code is wrong or was already used: type the current 6-digit code from the "
            "authenticator app (each code works once), or an unused recovery code"
        )


class ChallengeInvalid(NotAuthenticated):
    def __init__(self) -> None:
        super().__init__(
            "this sign-in waited too long for its code or was already finished; sign in again"
        )


class SecondFactorAlreadyOn(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "the authenticator app is already on for this account; turn it off first to set "
            "up another one"
        )


class SecondFactorNotStarted(DomainError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__(
            "there is no authenticator app waiting for confirmation; start the set-up first"
        )


class SecondFactorOff(Conflict):
    def __init__(self) -> None:
        super().__init__("the authenticator app is not on for this account")


def is_on(user: User) -> bool:
    return user.totp_secret is not None and user.totp_enabled_at is not None


def begin(session: Session, user: User) -> str:
    """Store a new secret, off until confirmed; return it (base32) for the app."""
    if is_on(user):
        raise SecondFactorAlreadyOn()
    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = None
    session.flush()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    """The otpauth:// address an authenticator app takes (as text or a QR code)."""
    if user.totp_secret is None:
        raise SecondFactorNotStarted()
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _matching_step(secret: str, code: str) -> int | None:
    totp = pyotp.TOTP(secret)
    current = totp.timecode(clock.now())
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_totp(session: Session, user: User, code: str) -> bool:
    """Take a TOTP code once: only a step later than the last one used passes."""
    if user.totp_secret is None or not (len(code) == 6 and code.isascii() and code.isdigit()):
        return False
    step = _matching_step(user.totp_secret, code)
    if step is None:
        return False
    # Of two requests with the same code, the first to write wins.
    taken = session.execute(
        update(User)
        .where(User.id == user.id)
        .where(or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0) != 1:
        return False
    user.totp_last_step = step
    return True


def _normalize_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _use_recovery_code(session: Session, user: User, code: str) -> bool:
    plain = _normalize_recovery(code)
    if len(plain) != 10:
        return False
    used = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == sha256_hex(plain),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return getattr(used, "rowcount", 0) == 1


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones, returned once."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        plain = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        session.add(RecoveryCode(user_id=user.id, code_hash=sha256_hex(plain)))
        codes.append(f"{plain[:5]}-{plain[5:]}")
    session.flush()
    return codes


def recovery_codes_left(session: Session, user_id: uuid.UUID) -> int:
    count = session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    return count or 0


def confirm(session: Session, user: User, code: str) -> list[str]:
    """Turn the app on with a code from it; return the ten recovery codes (shown once)."""
    if is_on(user):
        raise SecondFactorAlreadyOn()
    if user.totp_secret is None:
        raise SecondFactorNotStarted()
    if not _use_totp(session, user, code.strip().replace(" ", "")):
        raise SecondFactorWrong()
    user.totp_enabled_at = clock.now()
    return new_recovery_codes(session, user)


def verify(session: Session, user: User, code: str) -> str:
    """Take a TOTP or recovery code once; return which kind passed ("totp" or "recovery")."""
    code = code.strip().replace(" ", "")
    if not is_on(user) or len(code) > 40:
        raise SecondFactorWrong()
    if _use_totp(session, user, code):
        return "totp"
    if _use_recovery_code(session, user, code):
        return "recovery"
    raise SecondFactorWrong()


def turn_off(session: Session, user: User) -> None:
    """Remove the app's secret and the recovery codes (the caller checked password and code)."""
    if not is_on(user):
        raise SecondFactorOff()
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()


def open_challenge(session: Session, user: User) -> str:
    """A sign-in whose password was right waits for its code; return the token for it."""
    now = clock.now()
    session.execute(
        delete(SignInChallenge).where(SignInChallenge.expires_at < now - timedelta(days=1))
    )
    plain = new_secret()
    session.add(
        SignInChallenge(
            user_id=user.id, token_hash=sha256_hex(plain), expires_at=now + CHALLENGE_TTL
        )
    )
    session.flush()
    return plain


def user_of_challenge(session: Session, token: str) -> User:
    """The active user of an open, unexpired challenge."""
    if not token or len(token) > 200:
        raise ChallengeInvalid()
    row = session.execute(
        select(SignInChallenge, User)
        .join(User, User.id == SignInChallenge.user_id)
        .where(SignInChallenge.token_hash == sha256_hex(token))
    ).first()
    if row is None:
        raise ChallengeInvalid()
    challenge, user = row
    if challenge.used_at is not None or challenge.expires_at <= clock.now() or not user.is_active:
        raise ChallengeInvalid()
    return user


def close_challenge(session: Session, token: str) -> None:
    """Use the challenge up; a second finish of the same sign-in is refused."""
    closed = session.execute(
        update(SignInChallenge)
        .where(SignInChallenge.token_hash == sha256_hex(token), SignInChallenge.used_at.is_(None))
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if getattr(closed, "rowcount", 0) != 1:
        raise ChallengeInvalid()
