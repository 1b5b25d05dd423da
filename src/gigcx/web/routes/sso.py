"""Sign in with the company account: OpenID Connect with the brand's identity provider.

No network call happens inside a unit of work: each step reads or writes in its own short
unit of work, commits, and only then talks to the provider.
"""

import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gigcx.auth import service as auth_service
from gigcx.channels.sso import oidc
from gigcx.channels.sso import service as sso_service
from gigcx.channels.sso.errors import SsoFailed
from gigcx.config import get_settings
from gigcx.db.session import unit_of_work
from gigcx.errors import DomainError
from gigcx.web.deps import CsrfChecked, is_secure, redirect, start_session
from gigcx.web.routes.public import home_for, login_page, safe_next

router = APIRouter(include_in_schema=False)
logger = logging.getLogger(__name__)

SSO_COOKIE = "gigcx_sso_state"
CALLBACK_PATH = "/login/sso/callback"


def _factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    return factory


def callback_url(request: Request) -> str:
    """The redirect URI to register at the provider."""
    base = get_settings().base_url or str(request.base_url)
    return base.rstrip("/") + CALLBACK_PATH


def _refused(
    request: Request, error: DomainError, *, company: str = "", next: str = ""
) -> Response:
    # Not the detail: it may name a person's email address.
    logger.info("single sign-on refused (%s)", type(error).__name__)
    return login_page(
        request,
        next=next,
        company=company,
        errors={"company": error.detail},
        status_code=error.status_code,
    )


@router.post("/login/sso", dependencies=[CsrfChecked])
def start(
    request: Request,
    company: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Send the browser to the company's identity provider."""
    try:
        with unit_of_work(_factory(request)) as session:
            provider = sso_service.find_provider(session, company)
            pending = sso_service.begin_sign_in(
                session, provider, redirect_uri=callback_url(request), next_path=safe_next(next)
            )
        metadata = oidc.fetch_metadata(provider.issuer)
    except DomainError as error:
        return _refused(request, error, company=company, next=next)
    url = oidc.authorization_url(
        metadata,
        client_id=provider.client_id,
        redirect_uri=pending.redirect_uri,
        state=pending.state,
        nonce=pending.nonce,
        code_challenge=pending.code_challenge,
        login_hint=company.strip() if "@" in company else "",
    )
    response = RedirectResponse(url, status_code=303)
    # Binds the sign-in to this browser: a callback with someone else's state is refused.
    response.set_cookie(
        SSO_COOKIE,
        pending.state,
        max_age=int(sso_service.LOGIN_TTL.total_seconds()),
        path=CALLBACK_PATH,
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
    )
    return response


@router.get(CALLBACK_PATH)
def callback(
    request: Request,
    code: str = "",
    state: str = "",
    error: str = "",
    error_description: str = "",
) -> Response:
    """Finish the sign-in the provider sent the browser back from."""
    browser_state = request.cookies.get(SSO_COOKIE, "")
    try:
        if error:
            reason = (error_description or error)[:200]
            raise SsoFailed(
                f"your company's identity provider did not sign you in ({reason}); start again"
            )
        if not code or len(code) > 2000 or len(state) > 200:
            raise SsoFailed(sso_service.START_AGAIN)
        with unit_of_work(_factory(request)) as session:
            claimed = sso_service.claim_sign_in(session, state=state, browser_state=browser_state)
        provider = claimed.provider
        metadata = oidc.fetch_metadata(provider.issuer)
        id_token = oidc.exchange_code(
            metadata,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            code=code,
            redirect_uri=claimed.redirect_uri,
            code_verifier=claimed.code_verifier,
        )
        claims = oidc.verify_id_token(
            id_token,
            keys=oidc.fetch_keys(metadata),
            issuer=metadata.issuer,
            client_id=provider.client_id,
            nonce=claimed.nonce,
        )
        with unit_of_work(_factory(request)) as session:
            user = sso_service.complete_sign_in(session, provider, claims)
            ttl = timedelta(hours=get_settings().token_ttl_hours)
            plain, _ = auth_service.issue_token(session, user=user, ttl=ttl)
            principal = auth_service.principal_for_user(user)
    except IntegrityError:
        # The same company account finished two sign-ins at the same moment; one linked it.
        return _refused(request, SsoFailed(sso_service.START_AGAIN))
    except DomainError as refusal:
        response = _refused(request, refusal)
        response.delete_cookie(SSO_COOKIE, path=CALLBACK_PATH)
        return response
    response = redirect(claimed.next_path or home_for(principal))
    start_session(request, response, plain)
    response.delete_cookie(SSO_COOKIE, path=CALLBACK_PATH)
    return response
