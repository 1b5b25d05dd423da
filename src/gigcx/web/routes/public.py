"""Landing page, sign-in and sign-out."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep, keep_only
from gigcx.auth import second_factor
from gigcx.auth import service as auth_service
from gigcx.auth.errors import InvalidCredentials
from gigcx.auth.models import User
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.channels import sign_in
from gigcx.config import get_settings
from gigcx.errors import DomainError
from gigcx.experts import service as experts_service
from gigcx.web.deps import (
    SESSION_COOKIE,
    CsrfChecked,
    WebUser,
    end_session,
    redirect,
    render,
    start_session,
)

router = APIRouter(include_in_schema=False)


def home_for(principal: Principal) -> str:
    if principal.is_expert:
        return "/expert"
    return "/brand"


@router.get("/", response_class=HTMLResponse)
def landing(request: Request, session: SessionDep, user: WebUser) -> Response:
    rows = session.execute(
        select(Program.name, Program.slug, Brand.name, Brand.slug)
        .join(Brand, Brand.id == Program.brand_id)
        .where(Program.is_open.is_(True))
        .order_by(Brand.name, Program.name)
    ).all()
    programs = [
        {"name": name, "slug": slug, "brand_name": brand_name, "brand_slug": brand_slug}
        for name, slug, brand_name, brand_slug in rows
    ]
    return render(request, "landing.html", {"user": user, "programs": programs, "demo": bool(rows)})


NOTICES = {
    "signed_up": experts_service.SIGN_UP_RECEIVED,
    "password_reset": "Your new password is set and every earlier session has ended. Sign in.",
}


def login_page(
    request: Request,
    *,
    next: str = "",
    email: str = "",
    company: str = "",
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    """The sign-in page: password, company account, and the way to a new password."""
    context: dict[str, object] = {
        "next": next,
        "email": email,
        "company": company,
        "errors": errors or {},
        "notice": notice,
    }
    return render(request, "login.html", context, status_code=status_code)


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    user: WebUser,
    next: str = "",
    signed_up: bool = False,
    password_reset: bool = False,
) -> Response:
    if user is not None and not password_reset:
        return redirect(safe_next(next) or home_for(user))
    notice = NOTICES["signed_up"] if signed_up else None
    if password_reset:
        notice = NOTICES["password_reset"]
    return login_page(request, next=next, notice=notice)


def safe_next(path: str) -> str:
    """Only paths on this site: never an open redirect."""
    return path if path.startswith("/") and not path.startswith("//") else ""


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _refused(response: Response, error: DomainError) -> Response:
    """Add what the error tells the client to do (Retry-After when rate limited)."""
    response.headers.update(getattr(error, "headers", None) or {})
    return response


def _signed_in(
    request: Request, session: Session, user: User, *, method: str, next: str
) -> Response:
    """Finish a sign-in: audit it, start the browser's session and go on."""
    sign_in.record_success(session, user, address=client_address(request), method=method)
    ttl = timedelta(hours=get_settings().token_ttl_hours)
    plain, _ = auth_service.issue_token(session, user=user, ttl=ttl)
    principal = auth_service.principal_for_user(user)
    response = redirect(safe_next(next) or home_for(principal))
    start_session(request, response, plain)
    return response


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the password; an account with an authenticator app is asked for its code next."""
    address = client_address(request)
    try:
        user = sign_in.check_password(session, email=email, password=password, address=address)
    except DomainError as error:
        if isinstance(error, InvalidCredentials):
            keep_only(
                request,
                lambda s: sign_in.record_failure(
                    s, email=email, address=address, reason="password"
                ),
            )
        page = login_page(
            request,
            next=next,
            email=email,
            errors={"form": error.detail},
            status_code=error.status_code,
        )
        return _refused(page, error)
    if second_factor.is_on(user):
        challenge = second_factor.open_challenge(session, user)
        return render(
            request, "login_code.html", {"challenge": challenge, "next": next, "errors": {}}
        )
    return _signed_in(request, session, user, method="password", next=next)


@router.post("/login/code", dependencies=[CsrfChecked])
def login_code(
    request: Request,
    session: SessionDep,
    challenge: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """The second step: the authenticator app's code, or a recovery code."""
    address = client_address(request)
    try:
        user = second_factor.user_of_challenge(session, challenge)
    except DomainError as error:
        page = login_page(request, next=next, errors={"form": error.detail}, status_code=400)
        return page
    email = user.email
    try:
        kind = sign_in.check_second_factor(session, user, code, address=address)
        second_factor.close_challenge(session, challenge)
    except DomainError as error:
        if isinstance(error, second_factor.SecondFactorWrong):
            keep_only(
                request,
                lambda s: sign_in.record_failure(
                    s, email=email, address=address, reason="second_factor"
                ),
            )
        if isinstance(error, second_factor.ChallengeInvalid):
            return login_page(request, next=next, errors={"form": error.detail}, status_code=400)
        context = {"challenge": challenge, "next": next, "errors": {"code": error.detail}}
        page = render(request, "login_code.html", context, status_code=error.status_code)
        return _refused(page, error)
    return _signed_in(request, session, user, method=f"password+{kind}", next=next)


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth_service.revoke_token(session, plain=token)
    response = redirect("/")
    end_session(response)
    return response
