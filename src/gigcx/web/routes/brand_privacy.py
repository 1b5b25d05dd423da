"""The brand's privacy page: exports, erasures (typed twice), legal holds, retention."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.errors import DomainError, InvalidInput
from gigcx.rights import service as rights_service
from gigcx.rights.enums import RequestKind
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.routes.brand_common import page_context, require_manager

router = APIRouter(include_in_schema=False)

EMAIL_LIMIT = 254
REASON_LIMIT = 2000


def _page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    brand_id = require_manager(user)
    context = page_context(
        user,
        requests=rights_service.list_requests(session, user),
        holds=rights_service.list_holds(session, user),
        policy=rights_service.get_policy(session, brand_id),
        kept=rights_service.KEPT_FOR_TAX_AND_PAY,
        errors=errors or {},
        values=values or {},
    )
    response = render(request, "brand/privacy.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def _email(value: str) -> str:
    value = value.strip()
    if not value or len(value) > EMAIL_LIMIT or "@" not in value:
        raise InvalidInput("Enter the customer's email address as they wrote to you.")
    return value


@router.get("/brand/privacy", response_class=HTMLResponse)
def privacy(request: Request, session: SessionDep, user: WebStaff) -> Response:
    return _page(request, session, user)


@router.post("/brand/privacy/exports", dependencies=[CsrfChecked])
def request_export(
    request: Request, session: SessionDep, user: WebStaff, email: Annotated[str, Form()] = ""
) -> Response:
    """Queue an export of everything held about the customer."""
    require_manager(user)
    try:
        rights_service.request(session, user, kind=RequestKind.EXPORT, email=_email(email))
    except DomainError as error:
        errors = {"export_email": error.detail}
        values = {"export_email": email[:EMAIL_LIMIT]}
        return _page(
            request, session, user, errors=errors, values=values, status_code=error.status_code
        )
    return redirect("/brand/privacy")


@router.post("/brand/privacy/erasures", dependencies=[CsrfChecked])
def request_erasure(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    email: Annotated[str, Form()] = "",
    email_again: Annotated[str, Form()] = "",
) -> Response:
    """Queue an erasure once the email was typed twice alike."""
    require_manager(user)
    values = {"erase_email": email[:EMAIL_LIMIT]}
    try:
        address = _email(email)
        if email_again.strip().lower() != address.lower():
            raise InvalidInput(
                "Type the same email twice: an erasure cannot be undone. Nothing was erased."
            )
        rights_service.request(session, user, kind=RequestKind.ERASURE, email=address)
    except DomainError as error:
        errors = {"erase_email": error.detail}
        return _page(
            request, session, user, errors=errors, values=values, status_code=error.status_code
        )
    return redirect("/brand/privacy")


@router.get("/brand/privacy/requests/{request_id}/download")
def download(session: SessionDep, user: WebStaff, request_id: uuid.UUID) -> Response:
    """The export's zip, for the brand's admins only."""
    require_manager(user)
    data, filename = rights_service.download(session, user, request_id)
    return Response(
        data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/brand/privacy/holds", dependencies=[CsrfChecked])
def set_hold(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    target: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Hold a ticket (by its id) or a customer (by email) with a reason."""
    require_manager(user)
    target = target.strip()
    values = {"hold_target": target[:EMAIL_LIMIT], "hold_reason": reason[:REASON_LIMIT]}
    try:
        if "@" in target:
            rights_service.set_hold(session, user, reason=reason, customer_email=_email(target))
        else:
            try:
                ticket_id = uuid.UUID(target)
            except ValueError:
                raise InvalidInput(
                    "Enter a ticket's full id (from its page) or a customer's email."
                ) from None
            rights_service.set_hold(session, user, reason=reason, ticket_id=ticket_id)
    except DomainError as error:
        errors = {"hold_target": error.detail}
        return _page(
            request, session, user, errors=errors, values=values, status_code=error.status_code
        )
    return redirect("/brand/privacy")


@router.post("/brand/privacy/holds/{hold_id}/release", dependencies=[CsrfChecked])
def release_hold(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    hold_id: uuid.UUID,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """End a hold, with the reason."""
    require_manager(user)
    try:
        rights_service.release_hold(session, user, hold_id, reason=reason)
    except DomainError as error:
        if error.status_code == 404:
            raise
        errors = {f"release_{hold_id}": error.detail}
        return _page(request, session, user, errors=errors, status_code=error.status_code)
    return redirect("/brand/privacy")


def _days(value: str, label: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 6:
        raise InvalidInput(f"{label}: enter a whole number, or leave it empty to keep for ever.")
    return int(value)


@router.post("/brand/privacy/retention", dependencies=[CsrfChecked])
def put_retention(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    closed_ticket_days: Annotated[str, Form()] = "",
    raw_content_days: Annotated[str, Form()] = "",
    audit_years: Annotated[str, Form()] = "",
    export_keep_days: Annotated[str, Form()] = "7",
) -> Response:
    """Save the retention policy."""
    brand_id = require_manager(user)
    try:
        rights_service.put_policy(
            session,
            user,
            brand_id,
            closed_ticket_days=_days(closed_ticket_days, "Closed tickets"),
            raw_content_days=_days(raw_content_days, "Raw mail and attachments"),
            audit_years=_days(audit_years, "Audit events"),
            export_keep_days=_days(export_keep_days, "Export archives") or 7,
        )
    except DomainError as error:
        return _page(
            request,
            session,
            user,
            errors={"retention": error.detail},
            status_code=error.status_code,
        )
    return redirect("/brand/privacy/retention")


@router.get("/brand/privacy/retention", response_class=HTMLResponse)
def retention_report(request: Request, session: SessionDep, user: WebStaff) -> Response:
    """What the policy would remove if it ran now; nothing changes."""
    brand_id = require_manager(user)
    report = rights_service.apply_retention(session, brand_id, dry_run=True)
    return render(request, "brand/privacy_retention.html", page_context(user, report=report))
