"""The brand's single sign-on settings (its OpenID Connect provider), for its admins."""

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import Field

from gigcx.api.deps import BrandManager, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.channels.sso import settings as sso_settings
from gigcx.channels.sso.models import SsoConfig
from gigcx.config import get_settings
from gigcx.errors import NotFound
from gigcx.kit.schemas import Schema

router = APIRouter(prefix="/sso-settings", tags=["single sign-on"], responses=ERROR_RESPONSES)

NewStaffRole = Literal["", "inhouse_agent", "brand_admin"]


class SsoSettingsWrite(Schema):
    issuer: str = Field(
        min_length=1,
        max_length=500,
        description="The provider's issuer URL (https); GigCX reads "
        "<issuer>/.well-known/openid-configuration",
    )
    client_id: str = Field(min_length=1, max_length=255)
    client_secret: str = Field(
        default="", max_length=500, description="Empty keeps the saved secret"
    )
    allowed_domains: list[str] = Field(
        min_length=1, max_length=sso_settings.MAX_DOMAINS, description="Staff email domains"
    )
    new_staff_role: NewStaffRole = Field(
        default="", description="What a first sign-in makes; empty: only existing staff sign in"
    )
    is_required: bool = Field(
        default=False, description="Refuse password sign-in for the brand's staff"
    )
    is_enabled: bool = True


class SsoSettingsRead(Schema):
    issuer: str
    client_id: str
    has_client_secret: bool
    allowed_domains: list[str]
    new_staff_role: str
    is_required: bool
    is_enabled: bool
    redirect_uri: str = Field(description="The redirect URI to register at the provider")


def _read(config: SsoConfig, request: Request) -> SsoSettingsRead:
    base = get_settings().base_url or str(request.base_url)
    return SsoSettingsRead(
        issuer=config.issuer,
        client_id=config.client_id,
        has_client_secret=bool(config.client_secret),
        allowed_domains=list(config.allowed_domains),
        new_staff_role=config.new_staff_role,
        is_required=config.is_required,
        is_enabled=config.is_enabled,
        redirect_uri=base.rstrip("/") + "/login/sso/callback",
    )


@router.get("")
def get_sso_settings(
    session: SessionDep, principal: BrandManager, request: Request
) -> SsoSettingsRead:
    """The brand's single sign-on settings (the client secret is never shown)."""
    config = sso_settings.get_config(session, principal)
    if config is None:
        raise NotFound("single sign-on is not set up for this brand; PUT /api/v1/sso-settings")
    return _read(config, request)


@router.put("")
def put_sso_settings(
    session: SessionDep, principal: BrandManager, body: SsoSettingsWrite, request: Request
) -> SsoSettingsRead:
    """Set the brand's OpenID Connect provider and who may sign in through it."""
    config = sso_settings.save_config(
        session,
        principal,
        issuer=body.issuer,
        client_id=body.client_id,
        client_secret=body.client_secret,
        allowed_domains=", ".join(body.allowed_domains),
        new_staff_role=body.new_staff_role,
        is_required=body.is_required,
        is_enabled=body.is_enabled,
    )
    return _read(config, request)
