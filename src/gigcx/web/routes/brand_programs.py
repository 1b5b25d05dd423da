"""Programs: the list, a new program, and the rules of one (languages to escalation policy)."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.enums import Channel
from gigcx.brands.models import Brand, Program
from gigcx.brands.queries import readable_brands
from gigcx.brands.schemas import ProgramCreate, ProgramUpdate
from gigcx.errors import Conflict, InvalidInput
from gigcx.routing.policies import POLICY_NAMES
from gigcx.web.deps import CsrfChecked, Submitted, WebStaff, redirect, render
from gigcx.web.routes.brand_common import page_context, programs_of, require_manager
from gigcx.web.routes.brand_program_form import (
    COMPLEXITIES,
    GIG,
    INHOUSE,
    WEIGHTS,
    ProgramForm,
    build_payload,
    field_label,
    rule_errors,
    validation_errors,
)

router = APIRouter(include_in_schema=False)


@router.get("/brand/programs", response_class=HTMLResponse)
def program_list(request: Request, session: SessionDep, user: WebStaff) -> Response:
    brands = {b.id: b for b in session.scalars(readable_brands(user))}
    context = page_context(user, programs=programs_of(session, user), brands=brands)
    return render(request, "brand/programs.html", context)


def _form_page(
    request: Request,
    user: Principal,
    form: ProgramForm,
    *,
    program: Program | None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    context: dict[str, Any] = page_context(
        user,
        program=program,
        form=form,
        errors=errors or {},
        channels=[c.value for c in Channel],
        complexities=COMPLEXITIES,
        weights=WEIGHTS,
        routes=[(GIG, "Experts (gig)"), (INHOUSE, "In-house team only")],
        levels=[str(level) for level in range(1, 6)],
        routing_policies=list(POLICY_NAMES.items()),
        label=field_label,
        notice=notice,
    )
    return render(request, "brand/program_form.html", context, status_code=status_code)


@router.get("/brand/programs/new", response_class=HTMLResponse)
def new_program(request: Request, session: SessionDep, user: WebStaff) -> Response:
    brand = session.get_one(Brand, require_manager(user))
    return _form_page(request, user, ProgramForm.blank(brand.currency), program=None)


def _refused(
    request: Request,
    session: Session,
    user: Principal,
    form: ProgramForm,
    errors: dict[str, str],
    program_id: uuid.UUID | None,
) -> Response:
    program = brands_service.get_program(session, user, program_id) if program_id else None
    return _form_page(request, user, form, program=program, errors=errors, status_code=400)


@router.post("/brand/programs/new", dependencies=[CsrfChecked])
def create_program(
    request: Request, session: SessionDep, user: WebStaff, submitted: Submitted
) -> Response:
    """Open a program from the form; refused input shows again with messages at the fields."""
    brand_id = require_manager(user)
    form = ProgramForm.submitted(submitted)
    payload = build_payload(form, is_new=True)
    try:
        data = ProgramCreate.model_validate(payload.data)
    except ValidationError as error:
        errors = payload.errors | validation_errors(error, payload)
        return _refused(request, session, user, form, errors, None)
    if payload.errors:
        return _refused(request, session, user, form, payload.errors, None)
    try:
        program = brands_service.create_program(session, user, data, brand_id=brand_id)
    except (InvalidInput, Conflict) as error:
        return _refused(request, session, user, form, rule_errors(error, form), None)
    return redirect(f"/brand/programs/{program.id}?saved=1")


@router.get("/brand/programs/{program_id}", response_class=HTMLResponse)
def edit_program(
    request: Request, session: SessionDep, user: WebStaff, program_id: uuid.UUID, saved: str = ""
) -> Response:
    program = brands_service.get_program(session, user, program_id)
    notice = "Saved." if saved else None
    return _form_page(request, user, ProgramForm.of(program), program=program, notice=notice)


def kept_rate_lines(program: Program, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Rate lines by language or time band, which this form does not show, stay as they are.

    Lines of a category or language the form removes go with it.
    """
    categories = {c["key"] for c in data["categories"] if c["is_gig_eligible"]}
    languages = {code.strip().lower() for code in data["languages"]}
    return [
        {
            "category_key": r.category_key,
            "complexity": r.complexity,
            "language": r.language,
            "time_band": r.time_band,
            "amount": r.amount,
        }
        for r in program.rates
        if (r.language is not None or r.time_band is not None)
        and r.category_key in categories
        and (r.language is None or r.language in languages)
    ]


@router.post("/brand/programs/{program_id}", dependencies=[CsrfChecked])
def update_program(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    program_id: uuid.UUID,
    submitted: Submitted,
) -> Response:
    """Change a program's rules; a refused change keeps nothing and shows where it went wrong."""
    require_manager(user)
    program = brands_service.get_program(session, user, program_id)
    form = ProgramForm.submitted(submitted)
    payload = build_payload(form, is_new=False)
    payload.data["rates"] += kept_rate_lines(program, payload.data)
    try:
        data = ProgramUpdate.model_validate(payload.data)
    except ValidationError as error:
        errors = payload.errors | validation_errors(error, payload)
        return _refused(request, session, user, form, errors, program_id)
    if payload.errors:
        return _refused(request, session, user, form, payload.errors, program_id)
    try:
        brands_service.update_program(session, user, program_id, data)
    except (InvalidInput, Conflict) as error:
        return _refused(request, session, user, form, rule_errors(error, form), program_id)
    return redirect(f"/brand/programs/{program_id}?saved=1")
