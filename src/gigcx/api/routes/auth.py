from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from pydantic import Field

from gigcx.api.deps import AccountPrincipal, SessionDep, keep_only
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.auth import passwords, second_factor
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.errors import InvalidCredentials
from gigcx.channels import accounts, sign_in
from gigcx.config import get_settings
from gigcx.errors import PermissionDenied
from gigcx.kit.schemas import Schema

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)


class LoginRequest(Schema):
    # Any text: an address that is not an account's is "wrong", like a wrong password.
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=200)
    # The authenticator app's current code, or a recovery code, for accounts that have one.
    otp: str | None = Field(default=None, max_length=40)


class TokenRead(Schema):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: datetime
    role: Role


class MeRead(Schema):
    role: Role
    user_id: str | None
    brand_id: str | None
    expert_id: str | None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post(
    "/login",
    responses={
        401: {"description": "Wrong email, password or code; or the code ('otp') is missing"},
        429: {"description": "Too many failed attempts; Retry-After says when to try again"},
    },
)
def login(session: SessionDep, body: LoginRequest, request: Request) -> TokenRead:
    """Sign in with email and password; the token goes in 'Authorization: Bearer'. Public.

    An account with an authenticator app also sends its current code (or a recovery code) as
    ``otp``; without it the answer is 401 saying so. Failed attempts are limited per account
    and per address (429 with Retry-After).
    """
    address = client_address(request)
    method = "password"
    try:
        user = sign_in.check_password(
            session, email=body.email, password=body.password, address=address
        )
        if second_factor.is_on(user):
            if not body.otp:
                raise second_factor.SecondFactorNeeded()
            kind = sign_in.check_second_factor(session, user, body.otp, address=address)
            method = f"password+{kind}"
    except (InvalidCredentials, second_factor.SecondFactorWrong) as error:
        reason = "password" if isinstance(error, InvalidCredentials) else "second_factor"
        keep_only(
            request,
            lambda s: sign_in.record_failure(s, email=body.email, address=address, reason=reason),
        )
        raise
    sign_in.record_success(session, user, address=address, method=method)
    ttl = timedelta(hours=get_settings().token_ttl_hours)
    plain, token = auth_service.issue_token(session, user=user, ttl=ttl)
    return TokenRead(access_token=plain, expires_at=token.expires_at, role=Role(user.role))


@router.post("/logout", status_code=204)
def logout(session: SessionDep, principal: AccountPrincipal, request: Request) -> None:
    """Revoke the token this request was made with."""
    _scheme, _, plain = request.headers.get("authorization", "").partition(" ")
    auth_service.revoke_token(session, plain=plain.strip())


@router.get("/me")
def me(principal: AccountPrincipal) -> MeRead:
    """Who the credentials stand for."""
    return MeRead(
        role=principal.role,
        user_id=str(principal.user_id) if principal.user_id else None,
        brand_id=str(principal.brand_id) if principal.brand_id else None,
        expert_id=str(principal.expert_id) if principal.expert_id else None,
    )


class PasswordResetRequest(Schema):
    email: str = Field(min_length=3, max_length=254)


class PasswordResetConfirm(Schema):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=passwords.PASSWORD_MIN, max_length=passwords.PASSWORD_MAX)


class PasswordChange(Schema):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=passwords.PASSWORD_MIN, max_length=passwords.PASSWORD_MAX)


class Accepted(Schema):
    detail: str


@router.post(
    "/password-reset",
    status_code=202,
    responses={429: {"description": "Too many requests; the detail says when to try again"}},
)
def request_password_reset(
    session: SessionDep, body: PasswordResetRequest, request: Request
) -> Accepted:
    """Mail a link to choose a new password, if the address has an account. Public.

    The answer is the same whether or not it has one; too many requests for one address or
    from one IP address within an hour are refused with 429.
    """
    accounts.request_password_reset(
        session,
        email=body.email,
        ip_address=client_address(request),
        base_url=get_settings().base_url or str(request.base_url),
    )
    return Accepted(detail=accounts.RESET_REQUESTED)


@router.post("/password-reset/confirm", status_code=204)
def confirm_password_reset(session: SessionDep, body: PasswordResetConfirm) -> None:
    """Set a new password with the mailed token; the token and every session end. Public."""
    accounts.reset_password(session, token=body.token, new_password=body.password)


@router.post("/password", status_code=204)
def change_password(
    session: SessionDep, principal: AccountPrincipal, body: PasswordChange, request: Request
) -> None:
    """Change the signed-in user's password; their other tokens are revoked, this one stays."""
    if principal.user_id is None:
        raise PermissionDenied("an API key has no password; sign in as a user to change one")
    _scheme, _, plain = request.headers.get("authorization", "").partition(" ")
    accounts.change_password(
        session,
        user_id=principal.user_id,
        current_password=body.current_password,
        new_password=body.new_password,
        keep_token_id=passwords.token_id_of(session, plain.strip()),
    )
