"""The account security page: authenticator app, recovery codes, signing out everywhere."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth import passwords
from gigcx.auth.principal import Principal
from gigcx.channels import account_security
from gigcx.errors import DomainError
from gigcx.web.deps import (
    SECURITY_PATH,
    SESSION_COOKIE,
    CsrfChecked,
    WebAccount,
    end_session,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)

# The page shows secrets (the app's key, recovery codes): never cached, never in a Referer.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    status_code: int = 200,
    **values: Any,
) -> Response:
    context = {
        "user": user,
        "status": account_security.status(session, user),
        "setup": account_security.pending_totp(session, user),
        "errors": {},
        "required_notice": account_security.is_missing(session, user),
        **values,
    }
    response = render(request, "account_security.html", context, status_code=status_code)
    response.headers.update(PRIVATE_HEADERS)
    return response


def _sentence(error: DomainError) -> str:
    return error.detail[0].upper() + error.detail[1:] + "."


@router.get(SECURITY_PATH, response_class=HTMLResponse)
def security_page(request: Request, session: SessionDep, user: WebAccount) -> Response:
    return _page(request, session, user)


@router.post(f"{SECURITY_PATH}/totp", dependencies=[CsrfChecked])
def start_totp(request: Request, session: SessionDep, user: WebAccount) -> Response:
    """Make a new key for the app; it is off until a code confirms it."""
    try:
        account_security.start_totp(session, user)
    except DomainError as error:
        return _page(
            request, session, user, errors={"form": _sentence(error)}, status_code=error.status_code
        )
    return redirect(SECURITY_PATH)


@router.post(f"{SECURITY_PATH}/totp/confirm", dependencies=[CsrfChecked])
def confirm_totp(
    request: Request, session: SessionDep, user: WebAccount, code: Annotated[str, Form()] = ""
) -> Response:
    """Turn the app on; show the recovery codes once. Other sessions end, this one stays."""
    keep = passwords.token_id_of(session, request.cookies.get(SESSION_COOKIE, ""))
    try:
        codes = account_security.confirm_totp(session, user, code, keep_token_id=keep)
    except DomainError as error:
        return _page(
            request, session, user, errors={"code": _sentence(error)}, status_code=error.status_code
        )
    return _page(request, session, user, recovery_codes=codes)


@router.post(f"{SECURITY_PATH}/totp/disable", dependencies=[CsrfChecked])
def turn_off_totp(
    request: Request,
    session: SessionDep,
    user: WebAccount,
    password: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
) -> Response:
    """Turn the app off with the password and a current code."""
    try:
        account_security.turn_off_totp(session, user, password=password, code=code)
    except passwords.CurrentPasswordWrong as error:
        return _page(request, session, user, errors={"password": _sentence(error)}, status_code=400)
    except DomainError as error:
        return _page(
            request, session, user, errors={"code": _sentence(error)}, status_code=error.status_code
        )
    return _page(request, session, user, notice="The authenticator app is off.")


@router.post("/account/sign-out-everywhere", dependencies=[CsrfChecked])
def sign_out_everywhere(request: Request, session: SessionDep, user: WebAccount) -> Response:
    """End every session of the account, this one included."""
    account_security.sign_out_everywhere(session, user)
    response = redirect("/login")
    end_session(response)
    return response
