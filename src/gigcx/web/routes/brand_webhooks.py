"""The brand's webhook endpoints: add, change, disable and enable, rotate the secret (shown
once), send a test event, see each message with its attempts, replay one or a time range."""

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from gigcx.api.deps import SessionDep, refuse
from gigcx.auth.principal import Principal
from gigcx.channels.webhooks import messages, service
from gigcx.channels.webhooks.enums import EVENT_TYPES, DisabledReason, EndpointStatus
from gigcx.channels.webhooks.schemas import EndpointCreate, EndpointUpdate
from gigcx.errors import InvalidInput
from gigcx.web.deps import CsrfChecked, Submitted, WebStaff, redirect, render
from gigcx.web.forms import field_errors
from gigcx.web.routes.brand_common import form_text, page_context, require_manager

router = APIRouter(include_in_schema=False)

REASONS = {
    DisabledReason.BY_BRAND: "turned off by a brand admin",
    DisabledReason.GONE: "the receiver answered 410 Gone",
    DisabledReason.FAILING: "every attempt failed for five days",
}
DELIVERIES_SHOWN = 50


def _form_values(form: Submitted) -> dict[str, Any]:
    return {
        "url": form_text(form, "url"),
        "description": form_text(form, "description"),
        "event_types": [str(v) for v in form.getlist("event_types") if isinstance(v, str)],
    }


def _errors_of(error: ValidationError | InvalidInput) -> dict[str, str]:
    if isinstance(error, InvalidInput):
        field = "event_types" if "event type" in error.detail else "url"
        return {field: error.detail[:1].upper() + error.detail[1:] + "."}
    errors = field_errors(error)
    return {name.split(".")[0]: message for name, message in errors.items()}


def _list_page(
    request: Request,
    session: SessionDep,
    user: Principal,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    require_manager(user)
    endpoints = service.list_endpoints(session, user)
    context = page_context(
        user,
        endpoints=endpoints,
        notices=[
            e
            for e in endpoints
            if e.disabled_reason in (DisabledReason.GONE, DisabledReason.FAILING)
        ],
        reasons=REASONS,
        event_types=EVENT_TYPES,
        values=values or {"url": "", "description": "", "event_types": []},
        errors=errors or {},
    )
    return render(request, "brand/webhooks.html", context, status_code=status_code)


def _endpoint_page(
    request: Request,
    session: SessionDep,
    user: Principal,
    endpoint_id: uuid.UUID,
    *,
    secret: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    replay_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    require_manager(user)
    endpoint = service.get_endpoint(session, user, endpoint_id)
    rows, total = messages.list_deliveries(session, user, endpoint_id, limit=DELIVERIES_SHOWN)
    context = page_context(
        user,
        endpoint=endpoint,
        secret=secret,
        deliveries=rows,
        total=total,
        reasons=REASONS,
        event_types=EVENT_TYPES,
        values=values
        or {
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": list(endpoint.event_types),
        },
        errors=errors or {},
        replay_errors=replay_errors or {},
        is_active=endpoint.status == EndpointStatus.ACTIVE,
    )
    response = render(request, "brand/webhook.html", context, status_code=status_code)
    if secret is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/brand/webhooks", response_class=HTMLResponse)
def webhooks(request: Request, session: SessionDep, user: WebStaff) -> Response:
    return _list_page(request, session, user)


@router.post("/brand/webhooks", dependencies=[CsrfChecked])
def create_webhook(
    request: Request, session: SessionDep, user: WebStaff, form: Submitted
) -> Response:
    """Add an endpoint and show its secret on this response only."""
    require_manager(user)
    values = _form_values(form)
    try:
        data = EndpointCreate.model_validate(values)
        endpoint, secret = service.create_endpoint(session, user, data)
    except (ValidationError, InvalidInput) as error:
        refuse(request)
        return _list_page(
            request, session, user, values=values, errors=_errors_of(error), status_code=400
        )
    return _endpoint_page(request, session, user, endpoint.id, secret=secret, status_code=201)


@router.get("/brand/webhooks/{endpoint_id}", response_class=HTMLResponse)
def webhook(
    request: Request, session: SessionDep, user: WebStaff, endpoint_id: uuid.UUID
) -> Response:
    return _endpoint_page(request, session, user, endpoint_id)


@router.post("/brand/webhooks/{endpoint_id}", dependencies=[CsrfChecked])
def edit_webhook(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    endpoint_id: uuid.UUID,
    form: Submitted,
) -> Response:
    """Change the address, description and events."""
    require_manager(user)
    values = _form_values(form)
    try:
        data = EndpointUpdate.model_validate(values)
        service.update_endpoint(session, user, endpoint_id, data)
    except (ValidationError, InvalidInput) as error:
        refuse(request)
        return _endpoint_page(
            request,
            session,
            user,
            endpoint_id,
            values=values,
            errors=_errors_of(error),
            status_code=400,
        )
    return redirect(f"/brand/webhooks/{endpoint_id}")


@router.post("/brand/webhooks/{endpoint_id}/disable", dependencies=[CsrfChecked])
def disable_webhook(session: SessionDep, user: WebStaff, endpoint_id: uuid.UUID) -> Response:
    require_manager(user)
    data = EndpointUpdate(status=EndpointStatus.DISABLED)
    service.update_endpoint(session, user, endpoint_id, data)
    return redirect(f"/brand/webhooks/{endpoint_id}")


@router.post("/brand/webhooks/{endpoint_id}/enable", dependencies=[CsrfChecked])
def enable_webhook(session: SessionDep, user: WebStaff, endpoint_id: uuid.UUID) -> Response:
    require_manager(user)
    service.update_endpoint(
        session, user, endpoint_id, EndpointUpdate(status=EndpointStatus.ACTIVE)
    )
    return redirect(f"/brand/webhooks/{endpoint_id}")


@router.post("/brand/webhooks/{endpoint_id}/rotate", dependencies=[CsrfChecked])
def rotate_webhook_secret(
    request: Request, session: SessionDep, user: WebStaff, endpoint_id: uuid.UUID
) -> Response:
    """A new secret, shown this once; the old one signs alongside it for 24 hours."""
    require_manager(user)
    secret, _, _ = service.rotate_secret(session, user, endpoint_id)
    return _endpoint_page(request, session, user, endpoint_id, secret=secret)


@router.post("/brand/webhooks/{endpoint_id}/test", dependencies=[CsrfChecked])
def send_test_event(session: SessionDep, user: WebStaff, endpoint_id: uuid.UUID) -> Response:
    require_manager(user)
    messages.send_test(session, user, endpoint_id)
    return redirect(f"/brand/webhooks/{endpoint_id}")


def _moment(text: str, label: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{label} {text!r} is not a time; pick one, e.g. 2026-12-03T14:00"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@router.post("/brand/webhooks/{endpoint_id}/replay", dependencies=[CsrfChecked])
def replay_webhook(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    endpoint_id: uuid.UUID,
    form: Submitted,
) -> Response:
    """Send one message (message_id) or every message of a time range (since, until) again."""
    require_manager(user)
    message_id = form_text(form, "message_id") or None
    try:
        since = _moment(form_text(form, "since"), "From")
        until = _moment(form_text(form, "until"), "Until")
        messages.replay(session, user, endpoint_id, message_id=message_id, since=since, until=until)
    except InvalidInput as error:
        refuse(request)
        detail = error.detail[:1].upper() + error.detail[1:] + "."
        return _endpoint_page(
            request, session, user, endpoint_id, replay_errors={"since": detail}, status_code=400
        )
    return redirect(f"/brand/webhooks/{endpoint_id}")
