"""The brand's API keys: create with a scope and an expiry (the key is shown once), see when
each was last used, revoke."""

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.enums import ApiScope
from gigcx.auth.models import ApiKey
from gigcx.auth.principal import Principal
from gigcx.channels import api_keys as api_keys_service
from gigcx.errors import NotFound
from gigcx.kit import clock
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
    scope: str = ApiScope.INTAKE.value,
    expires_on: str = "",
    status_code: int = 200,
) -> Response:
    keys = session.scalars(
        select(ApiKey)
        .where(ApiKey.brand_id == brand_id)
        .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id)
    ).all()
    context = page_context(
        user,
        keys=keys,
        created=created,
        errors=errors or {},
        name=name,
        scope=scope,
        expires_on=expires_on,
        scopes=[(value.value, label) for value, label in api_keys_service.SCOPE_LABELS.items()],
        now=clock.now(),
    )
    response = render(request, "brand/api_keys.html", context, status_code=status_code)
    if created is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/brand/api-keys", response_class=HTMLResponse)
def api_keys(request: Request, session: SessionDep, user: WebStaff) -> Response:
    return _keys_page(request, session, user, require_manager(user))


def _expiry(text: str) -> datetime | None:
    """The start (00:00 UTC) of the day given as YYYY-MM-DD; None for no expiry."""
    if not text.strip():
        return None
    day = date.fromisoformat(text.strip())
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@router.post("/brand/api-keys", dependencies=[CsrfChecked])
def create_api_key(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    name: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = "",
    expires_on: Annotated[str, Form()] = "",
) -> Response:
    """Create a key and show it on this response only: it is never stored nor shown again."""
    brand_id = require_manager(user)
    name = name.strip()
    errors: dict[str, str] = {}
    if not name or len(name) > NAME_LIMIT:
        errors["name"] = f"Give the key a name of 1 to {NAME_LIMIT} characters."
    if scope not in {value.value for value in ApiScope}:
        errors["scope"] = "Choose what the key may do: intake, read or admin."
    expires_at = None
    try:
        expires_at = _expiry(expires_on)
    except ValueError:
        errors["expires_on"] = "Give the expiry as a date such as 2027-06-30, or leave it empty."
    if expires_at is not None and expires_at <= clock.now():
        errors["expires_on"] = "Choose an expiry date after today, or leave it empty."
    if errors:
        return _keys_page(
            request,
            session,
            user,
            brand_id,
            errors=errors,
            name=name,
            scope=scope,
            expires_on=expires_on,
            status_code=400,
        )
    plain, key = api_keys_service.create(
        session, user, name=name, scope=ApiScope(scope), expires_at=expires_at
    )
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
    api_keys_service.revoke(session, user, key)
    return redirect("/brand/api-keys")
