"""Forgot your password (a mailed single-use link) and changing it while signed in."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from gigcx.api.deps import SessionDep
from gigcx.auth import passwords
from gigcx.channels import accounts
from gigcx.config import get_settings
from gigcx.errors import DomainError
from gigcx.web.deps import SESSION_COOKIE, CsrfChecked, WebUser, redirect, render, signed_in
from gigcx.web.forms import is_email

router = APIRouter(include_in_schema=False)

# The link's token must not leak to other sites through the Referer header, nor be cached.
PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def site_address(request: Request) -> str:
    return get_settings().base_url or str(request.base_url)


@router.get("/password-reset", response_class=HTMLResponse)
def forgot_form(request: Request, user: WebUser) -> Response:
    return render(request, "password_forgot.html", {"user": user, "email": "", "errors": {}})


@router.post("/password-reset", dependencies=[CsrfChecked])
def forgot(
    request: Request, session: SessionDep, user: WebUser, email: Annotated[str, Form()] = ""
) -> Response:
    """Mail a reset link if the address has an account; answer the same either way."""
    email = email.strip()
    context: dict[str, object] = {"user": user, "email": email, "errors": {}}
    if not is_email(email):
        context["errors"] = {"email": "Enter an email address such as ana@example.com."}
        return render(request, "password_forgot.html", context, status_code=400)
    try:
        accounts.request_password_reset(
            session, email=email, ip_address=client_ip(request), base_url=site_address(request)
        )
    except passwords.TooManyResetRequests as error:
        context["errors"] = {"form": error.detail[0].upper() + error.detail[1:] + "."}
        return render(request, "password_forgot.html", context, status_code=429)
    context["notice"] = accounts.RESET_REQUESTED
    return render(request, "password_forgot.html", context)


def _reset_page(
    request: Request, token: str, *, errors: dict[str, str], status_code: int = 200
) -> Response:
    context = {"user": None, "token": token, "errors": errors}
    response = render(request, "password_reset.html", context, status_code=status_code)
    response.headers.update(PRIVATE_HEADERS)
    return response


@router.get(accounts.RESET_PATH, response_class=HTMLResponse)
def reset_form(request: Request, session: SessionDep, token: str = "") -> Response:
    try:
        passwords.user_of_reset_token(session, token)
    except DomainError as error:
        return _reset_page(request, "", errors={"form": _sentence(error)}, status_code=400)
    return _reset_page(request, token, errors={})


def _sentence(error: DomainError) -> str:
    return error.detail[0].upper() + error.detail[1:] + "."


@router.post(accounts.RESET_PATH, dependencies=[CsrfChecked])
def reset(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    """Set the new password; the link and every session of the account end."""
    try:
        passwords.user_of_reset_token(session, token)
    except DomainError as error:
        return _reset_page(request, "", errors={"form": _sentence(error)}, status_code=400)
    if not passwords.PASSWORD_MIN <= len(password) <= passwords.PASSWORD_MAX:
        errors = {"password": passwords.PASSWORD_RULE}
        return _reset_page(request, token, errors=errors, status_code=400)
    try:
        accounts.reset_password(session, token=token, new_password=password)
    except DomainError as error:
        return _reset_page(request, "", errors={"form": _sentence(error)}, status_code=400)
    response = redirect("/login?password_reset=1")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account/password", response_class=HTMLResponse)
def change_form(request: Request, user: WebUser) -> Response:
    principal = signed_in(request, user)
    return render(request, "account_password.html", {"user": principal, "errors": {}})


@router.post("/account/password", dependencies=[CsrfChecked])
def change(
    request: Request,
    session: SessionDep,
    user: WebUser,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
) -> Response:
    """Change the password; other sessions end, this one stays."""
    principal = signed_in(request, user)
    errors: dict[str, str] = {}
    if not passwords.PASSWORD_MIN <= len(new_password) <= passwords.PASSWORD_MAX:
        errors["new_password"] = passwords.PASSWORD_RULE
    elif principal.user_id is not None:
        token = request.cookies.get(SESSION_COOKIE, "")
        try:
            accounts.change_password(
                session,
                user_id=principal.user_id,
                current_password=current_password,
                new_password=new_password,
                keep_token_id=passwords.token_id_of(session, token),
            )
        except passwords.CurrentPasswordWrong as error:
            errors["current_password"] = _sentence(error)
    if errors:
        context = {"user": principal, "errors": errors}
        return render(request, "account_password.html", context, status_code=400)
    context = {
        "user": principal,
        "errors": {},
        "notice": "Your password is changed. Other sessions have ended.",
    }
    return render(request, "account_password.html", context)
