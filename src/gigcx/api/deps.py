"""Request dependencies: the unit of work, the principal, pagination."""

from collections.abc import Callable, Iterator
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from gigcx.api.audit_trail import remember_principal
from gigcx.auth import service as auth_service
from gigcx.auth.enums import ApiScope
from gigcx.auth.principal import Principal
from gigcx.channels import account_security
from gigcx.config import get_settings
from gigcx.db.dialect import is_busy, is_unreachable
from gigcx.db.session import open_session
from gigcx.errors import DatabaseBusy, DatabaseUnavailable, NotAuthenticated, PermissionDenied

_bearer = HTTPBearer(auto_error=False, description="A sign-in token or a brand API key")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: commit once if the endpoint succeeds, else roll back.

    Requests with safe methods read: on SQLite they never take (or wait for) the write lock.
    An answer with an error status commits nothing, also when the endpoint caught the error
    and rendered it (see ``refuse``), so a refused command leaves nothing half-applied. Row
    lock waits are bounded on PostgreSQL: past ``request_lock_timeout_seconds`` the request
    answers 503 having changed nothing, instead of committing long after its client gave up.
    """
    writes = request.method not in SAFE_METHODS
    session = open_session(
        request.app.state.sessionmaker,
        writes=writes,
        # Reads never wait for row locks on PostgreSQL: only writing requests need the bound.
        lock_timeout=get_settings().request_lock_timeout_seconds if writes else None,
    )
    request.state.unit_of_work = session
    try:
        yield session
        if getattr(request.state, "is_refused", False):
            session.rollback()
        else:
            session.commit()
    except DBAPIError as error:
        session.rollback()
        if is_busy(error):
            raise DatabaseBusy() from error
        if is_unreachable(error):
            raise DatabaseUnavailable() from error
        raise
    except PoolTimeout as error:
        # Every connection of this process's pool stayed in use for the pool's timeout.
        session.rollback()
        raise DatabaseUnavailable() from error
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def refuse(request: Request) -> None:
    """Undo what this request's unit of work did so far, and let it commit nothing.

    For endpoints that answer a refusal themselves (a form shown again with its errors):
    whatever the refused command flushed is rolled back before the answer is rendered.
    """
    request.state.is_refused = True
    session: Session | None = getattr(request.state, "unit_of_work", None)
    if session is not None:
        session.rollback()


# Function scope: the commit happens before the response is sent, so a failed commit is never
# reported as success.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def keep_only(request: Request, write: Callable[[Session], None]) -> None:
    """Roll back this request's work and commit only what ``write`` records instead.

    For a refusal that must leave a trace (a failed sign-in counts against the rate limits
    and is audited) although the request changes nothing else.
    """
    session: Session = request.state.unit_of_work
    session.rollback()
    write(session)
    session.commit()
    request.state.is_refused = True


# A route an intake key may call declares it: ``openapi_extra=INTAKE_SCOPE`` (new tickets,
# inbound mail, customers' follow-ups). The mark shows in the OpenAPI document too.
SCOPE_MARK = "x-api-key-scope"
INTAKE_SCOPE = {SCOPE_MARK: ApiScope.INTAKE.value}


def needed_scope(method: str, openapi_extra: dict[str, object] | None) -> ApiScope:
    """The least scope an API key needs: intake where the route says so, read for GET."""
    if (openapi_extra or {}).get(SCOPE_MARK) == ApiScope.INTAKE.value:
        return ApiScope.INTAKE
    if method in SAFE_METHODS:
        return ApiScope.READ
    return ApiScope.ADMIN


def _check_scope(request: Request, principal: Principal) -> None:
    """The one place API key scopes are enforced."""
    if principal.api_scope is None or principal.api_scope is ApiScope.ADMIN:
        return
    route = request.scope.get("route")
    needed = needed_scope(request.method, getattr(route, "openapi_extra", None))
    if principal.api_scope is needed:
        return
    shown = "'admin'" if needed is ApiScope.ADMIN else f"'{needed}' or 'admin'"
    raise PermissionDenied(
        f"this API key has the '{principal.api_scope}' scope; {request.method} "
        f"{request.url.path} needs a key with the {shown} scope (a brand admin creates keys "
        "on the API keys page)"
    )


def _authenticate(
    session: Session, request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    if credentials is None:
        raise NotAuthenticated(
            "sign in first: send 'Authorization: Bearer <token or API key>' "
            "(tokens come from POST /api/v1/auth/login)"
        )
    principal = auth_service.authenticate_bearer(session, credentials.credentials)
    remember_principal(request.state, principal)
    _check_scope(request, principal)
    return principal


def get_principal(
    session: SessionDep,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    principal = _authenticate(session, request, credentials)
    if account_security.is_missing(session, principal):
        raise account_security.SecondFactorRequired()
    return principal


def get_account_principal(
    session: SessionDep,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The principal, also a brand admin who has yet to set up a required second factor."""
    return _authenticate(session, request, credentials)


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
# For the account's own sign-in settings: reachable before a required second factor is on.
AccountPrincipal = Annotated[Principal, Depends(get_account_principal)]
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
