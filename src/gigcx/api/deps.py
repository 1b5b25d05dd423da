"""Request dependencies: the unit of work, the principal, pagination."""

from collections.abc import Callable, Iterator
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.auth.principal import Principal
from gigcx.errors import NotAuthenticated, PermissionDenied

_bearer = HTTPBearer(auto_error=False, description="A sign-in token or a brand API key")


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: commit once if the endpoint succeeds, else roll back."""
    factory = request.app.state.sessionmaker
    session: Session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# Function scope: the commit happens before the response is sent, so a failed commit is never
# reported as success.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise NotAuthenticated(
            "sign in first: send 'Authorization: Bearer <token or API key>' "
            "(tokens come from POST /api/v1/auth/login)"
        )
    return auth_service.authenticate_bearer(session, credentials.credentials)


def get_expert(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if not principal.is_expert:
        raise PermissionDenied("this endpoint is for experts; sign in with an expert account")
    return principal


def get_brand_staff(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if not (principal.is_brand_staff or principal.is_platform_admin):
        raise PermissionDenied("this endpoint is for brand staff or a brand API key")
    return principal


def get_brand_manager(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if not principal.can_manage_brand:
        raise PermissionDenied("this endpoint is for brand admins or a brand API key")
    return principal


def get_platform_admin(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if not principal.is_platform_admin:
        raise PermissionDenied("this endpoint is for platform admins")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
ExpertPrincipal = Annotated[Principal, Depends(get_expert)]
BrandStaff = Annotated[Principal, Depends(get_brand_staff)]
BrandManager = Annotated[Principal, Depends(get_brand_manager)]
PlatformAdmin = Annotated[Principal, Depends(get_platform_admin)]

T = TypeVar("T")
M = TypeVar("M")


# Deeper pages are better reached with a filter (created_before, status, ...) than by skipping.
MAX_OFFSET = 1_000_000


class PageParams(BaseModel):
    limit: int = 50
    offset: int = 0


def get_page_params(
    limit: Annotated[int, Query(ge=1, le=200, description="items per page")] = 50,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="items to skip (at most 1,000,000)")
    ] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(get_page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def paginate(
    session: Session, statement: Select[M], page: PageParams, to_item: Callable[[M], T]
) -> Page[T]:
    """Run an ordered statement for one page, with the total count of matching rows."""
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(statement.limit(page.limit).offset(page.offset)).all()
    return Page(
        items=[to_item(row) for row in rows], total=total, limit=page.limit, offset=page.offset
    )
