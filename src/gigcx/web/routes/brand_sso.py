"""The brand's single sign-on: its OpenID Connect provider and who may sign in through it."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.channels.sso import settings as sso_settings
from gigcx.errors import DomainError
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.routes.brand_common import page_context, require_manager
from gigcx.web.routes.sso import callback_url

router = APIRouter(include_in_schema=False)

ROLE_OPTIONS = list(sso_settings.NEW_STAFF_ROLES.items())


def _page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    values: dict[str, str] | None = None,
    problem: str = "",
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    config = sso_settings.get_config(session, user)
    if values is None:
        values = {
            "issuer": config.issuer if config else "",
            "client_id": config.client_id if config else "",
            "allowed_domains": ", ".join(config.allowed_domains) if config else "",
            "new_staff_role": config.new_staff_role if config else "",
            "is_required": "on" if config and config.is_required else "",
            "is_enabled": "on" if config is None or config.is_enabled else "",
        }
    context = page_context(
        user,
        config=config,
        linked=sso_settings.linked_accounts(session, user),
        values=values,
        role_options=ROLE_OPTIONS,
        callback_url=callback_url(request),
        problem=problem,
        notice="Single sign-on settings saved." if saved else None,
        errors={},
    )
    return render(request, "brand/sso.html", context, status_code=status_code)


@router.get("/brand/sso", response_class=HTMLResponse)
def settings_page(
    request: Request, session: SessionDep, user: WebStaff, saved: bool = False
) -> Response:
    require_manager(user)
    return _page(request, session, user, saved=saved)


@router.post("/brand/sso", dependencies=[CsrfChecked])
def save(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    issuer: Annotated[str, Form()] = "",
    client_id: Annotated[str, Form()] = "",
    client_secret: Annotated[str, Form()] = "",
    allowed_domains: Annotated[str, Form()] = "",
    new_staff_role: Annotated[str, Form()] = "",
    is_required: Annotated[str, Form()] = "",
    is_enabled: Annotated[str, Form()] = "",
) -> Response:
    require_manager(user)
    values = {
        "issuer": issuer,
        "client_id": client_id,
        "allowed_domains": allowed_domains,
        "new_staff_role": new_staff_role,
        "is_required": is_required,
        "is_enabled": is_enabled,
    }
    try:
        sso_settings.save_config(
            session,
            user,
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            allowed_domains=allowed_domains,
            new_staff_role=new_staff_role,
            is_required=bool(is_required),
            is_enabled=bool(is_enabled),
        )
    except DomainError as error:
        problem = error.detail[0].upper() + error.detail[1:] + "."
        return _page(request, session, user, values=values, problem=problem, status_code=400)
    return redirect("/brand/sso?saved=1")
