"""Compliance in the console: a brand's rules and contractor agreement; the platform terms."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.errors import NotFound
from gigcx.experts.compliance import service as compliance_service
from gigcx.experts.compliance.schemas import AgreementCreate, BrandComplianceUpdate
from gigcx.web.access import Area, require
from gigcx.web.deps import CsrfChecked, Submitted, WebPlatformAdmin, WebStaff, redirect, render
from gigcx.web.routes.brand_common import form_text, page_context, require_manager

router = APIRouter(include_in_schema=False)


def _brand_of(user: Principal) -> uuid.UUID:
    require(user, Area.CONSOLE)
    if user.brand_id is None:
        raise NotFound("each brand keeps its own rules: open them from that brand's console")
    return user.brand_id


def _countries(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


def _brand_page(
    request: Request,
    session: Session,
    user: Principal,
    brand_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    agreements = compliance_service.list_agreements(session, brand_id=brand_id)
    context: dict[str, Any] = page_context(
        user,
        rules=compliance_service.brand_compliance(session, brand_id),
        agreements=agreements,
        accepted={a.id: len(compliance_service.acceptances_of(session, a)) for a in agreements},
        errors=errors or {},
        values=values or {},
    )
    return render(request, "brand/compliance.html", context, status_code=status_code)


@router.get("/brand/compliance", response_class=HTMLResponse)
def brand_compliance(request: Request, session: SessionDep, user: WebStaff) -> Response:
    require(user, Area.CONSOLE)
    if user.brand_id is None:
        # Platform admins set the platform terms; each brand sets its own rules.
        return render(request, "brand/compliance.html", page_context(user, rules=None))
    return _brand_page(request, session, user, user.brand_id)


@router.post("/brand/compliance/rules", dependencies=[CsrfChecked])
def change_rules(
    request: Request, session: SessionDep, user: WebStaff, form: Submitted
) -> Response:
    """Set the brand's rules for experts (countries, attestation, identity check, hour cap)."""
    brand_id = require_manager(user)
    hours = form_text(form, "max_hours_per_week")
    values = {
        "allowed_countries": form_text(form, "allowed_countries"),
        "denied_countries": form_text(form, "denied_countries"),
        "max_hours_per_week": hours,
    }
    try:
        data = BrandComplianceUpdate.model_validate(
            {
                "allowed_countries": _countries(values["allowed_countries"]),
                "denied_countries": _countries(values["denied_countries"]),
                "requires_work_authorisation": form.get("requires_work_authorisation") == "on",
                "requires_identity_check": form.get("requires_identity_check") == "on",
                "max_hours_per_week": hours or None,
            }
        )
    except ValidationError as error:
        errors = {"rules": _plain(error)}
        return _brand_page(
            request, session, user, brand_id, errors=errors, values=values, status_code=400
        )
    compliance_service.update_brand_compliance(session, user, brand_id, data)
    return redirect("/brand/compliance")


def _plain(error: ValidationError) -> str:
    first = error.errors()[0]
    field = str(first["loc"][0]).replace("_", " ") if first["loc"] else "form"
    return f"{field}: {first['msg']}. Countries are two-letter codes such as PT; hours 1 to 168."


@router.post("/brand/compliance/agreements", dependencies=[CsrfChecked])
def publish(request: Request, session: SessionDep, user: WebStaff, form: Submitted) -> Response:
    """Publish a new version of the brand's contractor agreement."""
    brand_id = require_manager(user)
    title, body = form_text(form, "title"), form_text(form, "body")
    if not title or not body or len(title) > 200:
        errors = {"agreement": "Give the agreement a title (up to 200 characters) and its text."}
        values = {"title": title, "body": body}
        return _brand_page(
            request, session, user, brand_id, errors=errors, values=values, status_code=400
        )
    compliance_service.publish_agreement(
        session, user, brand_id=brand_id, data=AgreementCreate(title=title, body=body)
    )
    return redirect("/brand/compliance")


@router.get("/brand/compliance/agreements/{agreement_id}", response_class=HTMLResponse)
def acceptances(
    request: Request, session: SessionDep, user: WebStaff, agreement_id: uuid.UUID
) -> Response:
    brand_id = _brand_of(user)
    agreement = compliance_service.readable_agreement(session, user, agreement_id)
    if agreement.brand_id != brand_id:
        raise NotFound("agreement not found")
    context = page_context(
        user, agreement=agreement, acceptances=compliance_service.acceptances_of(session, agreement)
    )
    return render(request, "brand/agreement.html", context)


@router.get("/admin/terms", response_class=HTMLResponse)
def platform_terms(request: Request, session: SessionDep, user: WebPlatformAdmin) -> Response:
    return _terms_page(request, session, user)


def _terms_page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    agreements = compliance_service.list_agreements(session, brand_id=None)
    context = page_context(
        user,
        agreements=agreements,
        accepted={a.id: len(compliance_service.acceptances_of(session, a)) for a in agreements},
        errors=errors or {},
        values=values or {},
    )
    return render(request, "admin/terms.html", context, status_code=status_code)


@router.post("/admin/terms", dependencies=[CsrfChecked])
def publish_terms(
    request: Request, session: SessionDep, user: WebPlatformAdmin, form: Submitted
) -> Response:
    """Publish a new version of the platform terms."""
    title, body = form_text(form, "title"), form_text(form, "body")
    if not title or not body or len(title) > 200:
        errors = {"agreement": "Give the terms a title (up to 200 characters) and their text."}
        return _terms_page(
            request,
            session,
            user,
            errors=errors,
            values={"title": title, "body": body},
            status_code=400,
        )
    compliance_service.publish_agreement(
        session, user, brand_id=None, data=AgreementCreate(title=title, body=body)
    )
    return redirect("/admin/terms")
