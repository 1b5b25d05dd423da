from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from pydantic import Field

from gigcx.api.deps import CurrentPrincipal, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.config import get_settings
from gigcx.kit.schemas import Schema

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)


class LoginRequest(Schema):
    # Any text: an address that is not an account's is "wrong", like a wrong password.
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=200)


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


@router.post("/login")
def login(session: SessionDep, body: LoginRequest) -> TokenRead:
    """Sign in with email and password; the token goes in 'Authorization: Bearer'. Public."""
    user = auth_service.authenticate_password(session, email=body.email, password=body.password)
    ttl = timedelta(hours=get_settings().token_ttl_hours)
    plain, token = auth_service.issue_token(session, user=user, ttl=ttl)
    return TokenRead(access_token=plain, expires_at=token.expires_at, role=Role(user.role))


@router.post("/logout", status_code=204)
def logout(session: SessionDep, principal: CurrentPrincipal, request: Request) -> None:
    """Revoke the token this request was made with."""
    _scheme, _, plain = request.headers.get("authorization", "").partition(" ")
    auth_service.revoke_token(session, plain=plain.strip())


@router.get("/me")
def me(principal: CurrentPrincipal) -> MeRead:
    """Who the credentials stand for."""
    return MeRead(
        role=principal.role,
        user_id=str(principal.user_id) if principal.user_id else None,
        brand_id=str(principal.brand_id) if principal.brand_id else None,
        expert_id=str(principal.expert_id) if principal.expert_id else None,
    )
