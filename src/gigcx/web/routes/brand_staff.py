"""The brand's staff: its admins invite, change and deactivate admins and in-house agents."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.errors import EmailTaken
from gigcx.auth.models import User
from gigcx.auth.principal import Principal
from gigcx.brands import staff as staff_service
from gigcx.channels import account_security
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.forms import NAME_LIMIT, is_email
from gigcx.web.routes.brand_common import page_context, require_manager

router = APIRouter(include_in_schema=False)

ROLE_OPTIONS = [(role.value, name) for role, name in staff_service.ROLE_NAMES.items()]


def _staff_page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    invited: tuple[User, str] | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    problem: str = "",
    status_code: int = 200,
) -> Response:
    context = page_context(
        user,
        staff=staff_service.list_staff(session, user),
        role_names=staff_service.ROLE_NAMES,
        role_options=ROLE_OPTIONS,
        invited=invited,
        errors=errors or {},
        values=values or {"role": "inhouse_agent"},
        problem=problem,
        admins_need_second_factor=account_security.brand_of(
            session, user
        ).admins_need_second_factor,
    )
    response = render(request, "brand/staff.html", context, status_code=status_code)
    if invited is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/brand/staff", response_class=HTMLResponse)
def staff(request: Request, session: SessionDep, user: WebStaff) -> Response:
    require_manager(user)
    return _staff_page(request, session, user)


def _invite_errors(email: str, display_name: str, role: str) -> dict[str, str]:
    errors = {}
    if not is_email(email):
        errors["email"] = "Enter an email address such as ana@example.com."
    if not display_name or len(display_name) > NAME_LIMIT:
        errors["display_name"] = f"Enter the person's name, 1 to {NAME_LIMIT} characters."
    if role not in staff_service.ROLE_NAMES:
        errors["role"] = "Pick brand admin or in-house agent."
    return errors


@router.post("/brand/staff", dependencies=[CsrfChecked])
def invite(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    email: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
) -> Response:
    """Open the account and show its temporary password on this response only."""
    require_manager(user)
    values = {"email": email.strip(), "display_name": display_name.strip(), "role": role}
    errors = _invite_errors(values["email"], values["display_name"], role)
    if not errors:
        try:
            invited = staff_service.invite_staff(
                session, user, email=values["email"], display_name=values["display_name"], role=role
            )
        except EmailTaken:
            errors["email"] = "This email already has a GigCX account; invite another address."
        else:
            return _staff_page(request, session, user, invited=invited, status_code=201)
    return _staff_page(request, session, user, errors=errors, values=values, status_code=400)


@router.post("/brand/staff/{user_id}/role", dependencies=[CsrfChecked])
def change_role(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    user_id: uuid.UUID,
    role: Annotated[str, Form()] = "",
) -> Response:
    require_manager(user)
    if role not in staff_service.ROLE_NAMES:
        problem = "Pick brand admin or in-house agent."
        return _staff_page(request, session, user, problem=problem, status_code=400)
    try:
        staff_service.change_role(session, user, user_id, role)
    except staff_service.LastAdmin:
        return _staff_page(request, session, user, problem=LAST_ADMIN, status_code=409)
    # An admin who stepped down can no longer open this page.
    return redirect("/brand" if user_id == user.user_id else "/brand/staff")


LAST_ADMIN = (
    "The brand needs at least one active admin: make someone else an admin before you step down."
)


@router.post("/brand/staff/{user_id}/deactivate", dependencies=[CsrfChecked])
def deactivate(
    request: Request, session: SessionDep, user: WebStaff, user_id: uuid.UUID
) -> Response:
    require_manager(user)
    try:
        staff_service.deactivate(session, user, user_id)
    except staff_service.LastAdmin:
        return _staff_page(request, session, user, problem=LAST_ADMIN, status_code=409)
    return redirect("/login" if user_id == user.user_id else "/brand/staff")


@router.post("/brand/staff/{user_id}/reactivate", dependencies=[CsrfChecked])
def reactivate(session: SessionDep, user: WebStaff, user_id: uuid.UUID) -> Response:
    require_manager(user)
    staff_service.reactivate(session, user, user_id)
    return redirect("/brand/staff")


@router.post("/brand/staff/sign-in-rules", dependencies=[CsrfChecked])
def sign_in_rules(
    session: SessionDep, user: WebStaff, admins_need_second_factor: Annotated[str, Form()] = ""
) -> Response:
    """Say whether the brand's admins must sign in with a second factor."""
    require_manager(user)
    account_security.set_admin_rule(session, user, is_required=admins_need_second_factor == "yes")
    return redirect("/brand/staff")
