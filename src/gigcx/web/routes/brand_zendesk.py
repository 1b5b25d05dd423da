"""The brand's Zendesk connection: settings (the token masked once saved), last sync, errors."""

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.channels.helpdesk import service as helpdesk_service
from gigcx.channels.helpdesk.models import HelpdeskConnection
from gigcx.channels.helpdesk.schemas import ZendeskSettings
from gigcx.errors import DomainError
from gigcx.jobs import service as jobs_service
from gigcx.web.access import Area, require
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.forms import field_errors
from gigcx.web.routes.brand_common import form_text, page_context, programs_of, require_manager

router = APIRouter(include_in_schema=False)

LIST_FIELDS = ("form_ids", "group_ids", "tags")
NUMBER_LIST = "Write ids as whole numbers separated by commas, such as 360001, 360002."
TAG_LIST = "Write tags in lower case, separated by commas, such as gigcx, billing."


def _values_of(connection: HelpdeskConnection | None) -> dict[str, str]:
    if connection is None:
        return {"poll_seconds": "300", "requests_per_minute": "200", "is_active": "true"}
    return {
        "program_id": str(connection.program_id),
        "category": connection.category,
        "subdomain": connection.subdomain,
        "email": connection.email,
        "agent_id": str(connection.agent_id),
        "form_ids": ", ".join(str(i) for i in connection.form_ids),
        "group_ids": ", ".join(str(i) for i in connection.group_ids),
        "tags": ", ".join(connection.tags),
        "handback_group_id": str(connection.handback_group_id or ""),
        "poll_seconds": str(connection.poll_seconds),
        "requests_per_minute": str(connection.requests_per_minute),
        "is_active": "true" if connection.is_active else "",
    }


def _page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    # A platform admin (no brand of their own) sees the page without a connection.
    connection = helpdesk_service.find_connection(session, user.brand_id) if user.brand_id else None
    context = page_context(
        user,
        connection=connection,
        token_hint=helpdesk_service.masked_token(connection.api_token) if connection else "",
        status=helpdesk_service.status_of(session, connection) if connection else None,
        failed=helpdesk_service.failed_writes(session, connection) if connection else [],
        program_options=[(str(p.id), p.name) for p in programs_of(session, user)],
        values=values if values is not None else _values_of(connection),
        errors=errors or {},
    )
    return render(request, "brand/zendesk.html", context, status_code=status_code)


@router.get("/brand/zendesk", response_class=HTMLResponse)
def zendesk_page(request: Request, session: SessionDep, user: WebStaff) -> Response:
    require(user, Area.CONSOLE)
    return _page(request, session, user)


def _split(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text) if part]


def _form_data(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form as ZendeskSettings input, and the errors of lists written wrongly."""
    data: dict[str, Any] = {
        name: values[name]
        for name in ("program_id", "category", "subdomain", "email", "api_token", "agent_id")
    }
    data["subdomain"] = data["subdomain"].lower()
    errors: dict[str, str] = {}
    for name in ("form_ids", "group_ids"):
        parts = _split(values[name])
        if not all(part.isdigit() and len(part) <= 19 for part in parts):
            errors[name] = NUMBER_LIST
        data[name] = [int(part) for part in parts if part.isdigit() and len(part) <= 19]
    data["tags"] = [tag.lower() for tag in _split(values["tags"])]
    data["handback_group_id"] = values["handback_group_id"] or None
    data["poll_seconds"] = values["poll_seconds"] or "300"
    data["requests_per_minute"] = values["requests_per_minute"] or "200"
    data["is_active"] = values["is_active"] == "true"
    return data, errors


@router.post("/brand/zendesk", dependencies=[CsrfChecked])
async def save_zendesk(request: Request, session: SessionDep, user: WebStaff) -> Response:
    """Connect the brand's Zendesk or change its settings."""
    brand_id = require_manager(user)
    form = await request.form()
    names = (
        "program_id",
        "category",
        "subdomain",
        "email",
        "api_token",
        "agent_id",
        *LIST_FIELDS,
        "handback_group_id",
        "poll_seconds",
        "requests_per_minute",
        "is_active",
    )
    values = {name: form_text(form, name) for name in names}
    data, errors = _form_data(values)
    existing = helpdesk_service.find_connection(session, brand_id)
    data["base_url"] = existing.base_url if existing is not None else ""
    shown = {**values, "api_token": ""}
    try:
        settings = ZendeskSettings.model_validate(data)
    except ValidationError as error:
        found = {name.split(".")[0]: text for name, text in field_errors(error).items()}
        if "tags" in found:
            found["tags"] = TAG_LIST
        errors = {**found, **errors}
        return _page(request, session, user, values=shown, errors=errors, status_code=400)
    if errors:
        return _page(request, session, user, values=shown, errors=errors, status_code=400)
    try:
        helpdesk_service.connect_zendesk(session, user, settings)
    except DomainError as error:
        return _page(
            request,
            session,
            user,
            values=shown,
            errors={"form": error.detail},
            status_code=error.status_code,
        )
    return redirect("/brand/zendesk")


@router.post("/brand/zendesk/pull", dependencies=[CsrfChecked])
def pull_now(session: SessionDep, user: WebStaff) -> Response:
    """Pull the brand's Zendesk now instead of at the next interval."""
    brand_id = require_manager(user)
    connection = helpdesk_service.find_connection(session, brand_id)
    if connection is not None and connection.is_active:
        jobs_service.enqueue(
            session, helpdesk_service.PULL_JOB, {"connection_id": str(connection.id)}
        )
    return redirect("/brand/zendesk")
