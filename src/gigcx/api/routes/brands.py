import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import AwareDatetime, EmailStr, Field
from sqlalchemy import select

from gigcx.api.deps import (
    BrandManager,
    BrandStaff,
    Page,
    PageDep,
    PlatformAdmin,
    SessionDep,
    paginate,
)
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.auth import service as auth_service
from gigcx.auth.enums import ApiScope, Role
from gigcx.auth.models import ApiKey
from gigcx.brands import service as brands_service
from gigcx.brands.queries import readable_brands
from gigcx.brands.schemas import BrandCreate, BrandRead
from gigcx.channels import api_keys
from gigcx.errors import InvalidInput, NotFound
from gigcx.kit.schemas import Schema

router = APIRouter(tags=["brands"], responses=ERROR_RESPONSES)


@router.post("/brands", status_code=201)
def create_brand(session: SessionDep, principal: PlatformAdmin, body: BrandCreate) -> BrandRead:
    """Open a brand with its first brand admin."""
    return BrandRead.model_validate(brands_service.create_brand(session, principal, body))


@router.get("/brands")
def list_brands(session: SessionDep, principal: BrandStaff, page: PageDep) -> Page[BrandRead]:
    statement = readable_brands(principal)
    return paginate(session, statement.order_by("name"), page, BrandRead.model_validate)


class StaffCreate(Schema):
    email: EmailStr
    password: str = Field(min_length=8, max_length=200)
    display_name: str = Field(min_length=1, max_length=120)
    role: Role = Role.INHOUSE_AGENT


class StaffRead(Schema):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role


@router.post("/staff", status_code=201)
def create_staff(session: SessionDep, principal: BrandManager, body: StaffCreate) -> StaffRead:
    """Add an in-house agent or another brand admin to the brand."""
    if body.role not in {Role.INHOUSE_AGENT, Role.BRAND_ADMIN}:
        raise InvalidInput("staff role must be inhouse_agent or brand_admin")
    user = auth_service.create_user(
        session,
        email=body.email,
        password=body.password,
        role=body.role,
        display_name=body.display_name,
        brand_id=principal.brand_id,
    )
    return StaffRead.model_validate(user)


class ApiKeyCreate(Schema):
    name: str = Field(min_length=1, max_length=120)
    scope: ApiScope = Field(
        default=ApiScope.ADMIN,
        description=(
            "intake: create tickets, inbound mail and customers' follow-ups only; "
            "read: GET only; admin: everything"
        ),
    )
    expires_at: AwareDatetime | None = Field(
        default=None, description="when the key stops working (with a time zone); none: never"
    )


class ApiKeyRead(Schema):
    id: uuid.UUID
    name: str
    prefix: str
    scope: ApiScope
    expires_at: datetime | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="the key itself; shown once, store it now")


@router.get("/api-keys", tags=["api keys"])
def list_api_keys(session: SessionDep, principal: BrandManager) -> list[ApiKeyRead]:
    rows = session.scalars(
        select(ApiKey).where(ApiKey.brand_id == principal.brand_id).order_by(ApiKey.created_at)
    )
    return [ApiKeyRead.model_validate(k) for k in rows]


@router.post("/api-keys", status_code=201, tags=["api keys"])
def create_api_key(
    session: SessionDep, principal: BrandManager, body: ApiKeyCreate
) -> ApiKeyCreated:
    """Create an API key with a scope and an optional expiry; the key is shown once."""
    plain, key = api_keys.create(
        session, principal, name=body.name, scope=body.scope, expires_at=body.expires_at
    )
    return ApiKeyCreated(**ApiKeyRead.model_validate(key).model_dump(), key=plain)


@router.delete("/api-keys/{key_id}", status_code=204, tags=["api keys"])
def revoke_api_key(session: SessionDep, principal: BrandManager, key_id: uuid.UUID) -> None:
    key = session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.brand_id == principal.brand_id)
    )
    if key is None:
        raise NotFound("API key not found")
    api_keys.revoke(session, principal, key)
