"""The brand's API keys: create (the key is shown once), see when each was last used, revoke."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.audit import service as audit_service
from gigcx.auth import service as auth_service
from gigcx.auth.models import ApiKey
from gigcx.auth.principal import Principal
from gigcx.errors import NotFound
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.routes.brand_common import page_context, require_manager

router = APIRouter(include_in_schema=False)

NAME_LIMIT = 120


def _keys_page(
    request: Request,
    session: Session,
    user: Principal,
    brand_id: uuid.UUID,
    *,
    created: tuple[str, ApiKey] | None = None,
    errors: dict[str, str] | None = None,
    name: str = "",
    status_code: int = 200,
) -> Response:
    keys = session.scalars(
        select(ApiKey)
        .where(ApiKey.brand_id == brand_id)
        .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id)
    ).all()
    context = page_context(user, keys=keys, created=created, errors=errors or {}, name=name)
    response = render(request, "brand/api_keys.html", context, status_code=status_code)
    if created is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/brand/api-keys", response_class=HTMLResponse)
def api_keys(request: Request, session: SessionDep, user: WebStaff) -> Response:
    return _keys_page(request, session, user, require_manager(user))


@router.post("/brand/api-keys", dependencies=[CsrfChecked])
def create_api_key(
    request: Request, session: SessionDep, user: WebStaff, name: Annotated[str, Form()] = ""
) -> Response:
    """Create a key and show it on this response only: it is never stored nor shown again."""
    brand_id = require_manager(user)
    name = name.strip()
    if not name or len(name) > NAME_LIMIT:
        errors = {"name": f"Give the key a name of 1 to {NAME_LIMIT} characters."}
        return _keys_page(
            request, session, user, brand_id, errors=errors, name=name, status_code=400
        )
    plain, key = auth_service.create_api_key(session, brand_id=brand_id, name=name)
    audit_service.record_key_change(session, actor=user, key=key, action="api_key.created")
    return _keys_page(request, session, user, brand_id, created=(plain, key), status_code=201)


@router.post("/brand/api-keys/{key_id}/revoke", dependencies=[CsrfChecked])
def revoke_api_key(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    key_id: uuid.UUID,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Ask first; revoke only when the confirmation form is sent."""
    brand_id = require_manager(user)
    key = session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.brand_id == brand_id))
    if key is None:
        raise NotFound("API key not found")
    if key.revoked_at is not None:
        return redirect("/brand/api-keys")
    if confirm != "yes":
        return render(request, "brand/api_key_revoke.html", page_context(user, key=key))
    auth_service.revoke_api_key(session, key)
    audit_service.record_key_change(session, actor=user, key=key, action="api_key.revoked")
    return redirect("/brand/api-keys")
