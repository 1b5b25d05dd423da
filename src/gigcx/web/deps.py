"""Web sessions (an HttpOnly cookie holding a sign-in token), CSRF and templates."""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gigcx.api.audit_trail import remember_principal
from gigcx.api.deps import SessionDep, refuse
from gigcx.auth import service as auth_service
from gigcx.auth.principal import Principal
from gigcx.channels import account_security
from gigcx.db.session import open_session
from gigcx.errors import DomainError, PermissionDenied
from gigcx.kit.text import printable, text_problem
from gigcx.tickets.queries import short_id
from gigcx.web.access import Area, nav_links, require

SESSION_COOKIE = "gigcx_session"
CSRF_COOKIE = "gigcx_csrf"
CSRF_FIELD = "csrf_token"

# Templates render views (gigcx.views) and never mask or price anything themselves.
templates = Jinja2Templates(directory=str(files("gigcx.web") / "templates"))
templates.env.globals["console_links"] = nav_links
templates.env.globals["short_id"] = short_id


class LoginRequired(Exception):
    """The page needs a signed-in user; the handler sends the browser to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class SecondFactorSetupRequired(Exception):
    """A brand admin whose brand requires a second factor has none yet: to its set-up page."""


SECURITY_PATH = "/account/security"


class CsrfFailed(DomainError):
    status_code = 403

    def __init__(self) -> None:
        super().__init__("the form expired or came from another site; reload the page and retry")


def is_secure(request: Request) -> bool:
    return request.url.scheme == "https"


def csrf_token(request: Request) -> str:
    """The browser's CSRF token: kept in a cookie, echoed by every form (double submit)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_token", None)
    if not token:
        token = secrets.token_urlsafe(24)
        request.state.csrf_token = token
    return str(token)


def set_cookies(request: Request, response: Response) -> None:
    """Store a newly made CSRF token in its cookie."""
    token = getattr(request.state, "csrf_token", None)
    if token and request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="lax", secure=is_secure(request)
        )


def check_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """Refuse a form whose token does not match the browser's cookie."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        raise CsrfFailed()


CsrfChecked = Depends(check_csrf)


class UnstorableFormText(DomainError):
    status_code = 400

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"The field \u201c{field}\u201d {problem}, then send the form again.")


async def refuse_unstorable_text(request: Request) -> None:
    """Refuse a posted form whose text no database can store (a NUL character, say)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return
    form = await request.form()
    for name, value in form.multi_items():
        problem = text_problem(name) or (text_problem(value) if isinstance(value, str) else None)
        if problem is not None:
            raise UnstorableFormText(printable(name.replace("\x00", "")), problem)


async def submitted_form(request: Request) -> FormData:
    """The posted form (already parsed for the CSRF check; Starlette caches it)."""
    return await request.form()


Submitted = Annotated[FormData, Depends(submitted_form)]


def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        principal = auth_service.authenticate_bearer(session, token)
    except DomainError:
        return None
    remember_principal(request.state, principal)
    request.state.is_second_factor_missing = account_security.is_missing(session, principal)
    return principal


def signed_in(
    request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Principal:
    """The signed-in user; a brand admin who must still set up a second factor goes there."""
    if principal is None:
        raise LoginRequired(request.url.path)
    if getattr(request.state, "is_second_factor_missing", False):
        raise SecondFactorSetupRequired()
    return principal


def signed_in_any(
    request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Principal:
    """The signed-in user, also before a required second factor is set up (its own page)."""
    if principal is None:
        raise LoginRequired(request.url.path)
    return principal


def signed_in_expert(principal: Annotated[Principal, Depends(signed_in)]) -> Principal:
    if not principal.is_expert:
        raise PermissionDenied("these pages are for experts; sign in with an expert account")
    return principal


def signed_in_staff(principal: Annotated[Principal, Depends(signed_in)]) -> Principal:
    require(principal, Area.CONSOLE)
    return principal


def signed_in_platform_admin(principal: Annotated[Principal, Depends(signed_in)]) -> Principal:
    require(principal, Area.PLATFORM)
    return principal


@contextmanager
def stream_session(request: Request) -> Iterator[Session]:
    """A short read-only unit of work for what opening a live stream must check.

    For streams, in place of the request session: call it inside one
    ``await run_in_threadpool(...)``. With the request session each dependency and its teardown
    is a thread hop of its own, and the session holds its connection from the first read to the
    teardown. Feeds reconnecting all at once (after a deploy) then hold every pooled connection
    while they queue for threads, which all wait for a connection: nothing moves until the
    pool's timeout fails them. Here the connection is taken and given back within one hop.
    """
    session = open_session(request.app.state.sessionmaker, writes=False)
    try:
        yield session
    finally:
        session.close()


def stream_expert(request: Request) -> Principal:
    """The signed-in expert of a live stream (``await run_in_threadpool(stream_expert, ...)``)."""
    with stream_session(request) as session:
        principal = optional_principal(request, session)
    return signed_in_expert(signed_in(request, principal))


def stream_staff(request: Request) -> Principal:
    """The signed-in brand staff member of a live stream, like ``stream_expert``."""
    with stream_session(request) as session:
        principal = optional_principal(request, session)
    return signed_in_staff(signed_in(request, principal))


WebUser = Annotated[Principal | None, Depends(optional_principal)]
WebAccount = Annotated[Principal, Depends(signed_in_any)]
WebExpert = Annotated[Principal, Depends(signed_in_expert)]
WebStaff = Annotated[Principal, Depends(signed_in_staff)]
WebPlatformAdmin = Annotated[Principal, Depends(signed_in_platform_admin)]


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page with the CSRF token and the signed-in user in its context.

    A page with an error status is a refusal: the request's changes are rolled back first,
    so the page shows, and the request leaves, the data as they were before.
    """
    if status_code >= 400:
        refuse(request)
    values = {"csrf_token": csrf_token(request), **(context or {})}
    response = templates.TemplateResponse(request, template, values, status_code=status_code)
    set_cookies(request, response)
    return response


def redirect(path: str) -> RedirectResponse:
    """After a successful form post, go to ``path`` (303: the browser follows with GET)."""
    return RedirectResponse(path, status_code=303)


def login_redirect(next_path: str) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(next_path)}", status_code=303)


def start_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
        max_age=7 * 24 * 3600,
    )


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
