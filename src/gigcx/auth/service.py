"""Passwords, sign-in tokens and API keys."""

import uuid
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from gigcx.auth.enums import ApiScope, Role
from gigcx.auth.errors import ApiKeyExpired, EmailTaken, InvalidCredentials, InvalidToken
from gigcx.auth.models import AccessToken, ApiKey, User
from gigcx.auth.principal import Principal
from gigcx.errors import InvalidInput
from gigcx.kit import clock
from gigcx.kit.ids import new_secret, sha256_hex

API_KEY_PREFIX = "gcx_"
_hasher = PasswordHasher()
# Verified against when the email is unknown, so a miss costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: Role,
    display_name: str = "",
    brand_id: uuid.UUID | None = None,
    expert_id: uuid.UUID | None = None,
) -> User:
    """Create a user who signs in with email and password."""
    email = normalize_email(email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken(email)
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name,
        brand_id=brand_id,
        expert_id=expert_id,
    )
    session.add(user)
    session.flush()
    return user


def authenticate_password(session: Session, *, email: str, password: str) -> User:
    """Return the active user with these credentials."""
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise InvalidCredentials() from None
    if user is None or not user.is_active:
        raise InvalidCredentials()
    return user


def issue_token(session: Session, *, user: User, ttl: timedelta) -> tuple[str, AccessToken]:
    """Create a bearer token for a signed-in user; the plain token is returned once."""
    plain = new_secret()
    token = AccessToken(user_id=user.id, token_hash=sha256_hex(plain), expires_at=clock.now() + ttl)
    session.add(token)
    session.flush()
    return plain, token


def revoke_token(session: Session, *, plain: str) -> None:
    token = session.scalar(select(AccessToken).where(AccessToken.token_hash == sha256_hex(plain)))
    if token is not None and token.revoked_at is None:
        token.revoked_at = clock.now()


def create_api_key(
    session: Session,
    *,
    brand_id: uuid.UUID,
    name: str,
    scope: ApiScope = ApiScope.ADMIN,
    expires_at: datetime | None = None,
) -> tuple[str, ApiKey]:
    """Create a brand API key; the plain key is returned once and never stored."""
    if expires_at is not None and expires_at <= clock.now():
        raise InvalidInput("the expiry date is in the past; choose a later one or none")
    secret = new_secret()
    plain = f"{API_KEY_PREFIX}{secret}"
    key = ApiKey(
        brand_id=brand_id,
        name=name,
        prefix=plain[:10],
        key_hash=sha256_hex(plain),
        scope=scope,
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    return plain, key


def revoke_api_key(session: Session, key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = clock.now()


def principal_for_user(user: User) -> Principal:
    return Principal(
        role=Role(user.role), user_id=user.id, brand_id=user.brand_id, expert_id=user.expert_id
    )


def _note_use(session: Session, key: ApiKey) -> None:
    # Best effort, in a savepoint: a reading request on SQLite cannot take the write lock after
    # it has read (it is refused at once while another transaction writes); a later request
    # notes the use instead of this one failing.
    try:
        with session.begin_nested():
            key.last_used_at = clock.now()
    except OperationalError:
        pass


def authenticate_bearer(session: Session, plain: str) -> Principal:
    """Resolve a bearer token or API key to the principal it stands for."""
    digest = sha256_hex(plain)
    if plain.startswith(API_KEY_PREFIX):
        key = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
        now = clock.now()
        if key is None or key.revoked_at is not None:
            raise InvalidToken()
        if key.expires_at is not None and key.expires_at <= now:
            raise ApiKeyExpired(key.expires_at)
        # Writing on every request would serialise intake on one row; a minute is precise enough.
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
            _note_use(session, key)
        return Principal(
            role=Role.API_KEY,
            brand_id=key.brand_id,
            api_key_id=key.id,
            api_scope=ApiScope(key.scope),
        )
    row = session.execute(
        select(AccessToken, User)
        .join(User, User.id == AccessToken.user_id)
        .where(AccessToken.token_hash == digest)
    ).first()
    if row is None:
        raise InvalidToken()
    token, user = row
    if token.revoked_at is not None or token.expires_at <= clock.now() or not user.is_active:
        raise InvalidToken()
    return principal_for_user(user)
