"""The platform's brands for its admins: list, open one with its first admin, rename."""

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.enums import Role
from gigcx.auth.errors import EmailTaken
from gigcx.auth.models import User
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.errors import BrandSlugTaken
from gigcx.brands.models import Brand, Program
from gigcx.brands.schemas import BrandCreate
from gigcx.kit.ids import new_secret
from gigcx.kit.schemas import SLUG_PATTERN
from gigcx.web.deps import CsrfChecked, WebPlatformAdmin, redirect, render
from gigcx.web.forms import NAME_LIMIT, is_email
from gigcx.web.routes.brand_common import page_context

router = APIRouter(include_in_schema=False)


def _brands_page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    created: tuple[Brand, str, str] | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    programs = dict(
        session.execute(select(Program.brand_id, func.count()).group_by(Program.brand_id)).all()
    )
    admins = dict(
        session.execute(
            select(User.brand_id, func.count())
            .where(User.role == Role.BRAND_ADMIN, User.is_active)
            .group_by(User.brand_id)
        ).all()
    )
    brands = session.scalars(select(Brand).order_by(Brand.name, Brand.id)).all()
    context = page_context(
        user,
        brands=brands,
        programs=programs,
        admins=admins,
        created=created,
        errors=errors or {},
        values=values or {"currency": "EUR"},
    )
    response = render(request, "admin/brands.html", context, status_code=status_code)
    if created is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admin/brands", response_class=HTMLResponse)
def brands(request: Request, session: SessionDep, user: WebPlatformAdmin) -> Response:
    return _brands_page(request, session, user)


def _name_error(name: str) -> str | None:
    if not name or len(name) > NAME_LIMIT:
        return f"Enter a name of 1 to {NAME_LIMIT} characters."
    return None


def _brand_errors(values: dict[str, str]) -> dict[str, str]:
    errors = {}
    if problem := _name_error(values["name"]):
        errors["name"] = problem
    if not re.fullmatch(SLUG_PATTERN, values["slug"]) or len(values["slug"]) > 64:
        errors["slug"] = (
            "Use lowercase letters, digits and single hyphens, such as acme-shoes "
            "(it becomes part of the contact pages' address)."
        )
    if not re.fullmatch(r"[A-Za-z]{3}", values["currency"]):
        errors["currency"] = "Enter a three-letter currency code such as EUR or USD."
    if not is_email(values["admin_email"]):
        errors["admin_email"] = "Enter the first admin's email, such as ana@example.com."
    return errors


@router.post("/admin/brands", dependencies=[CsrfChecked])
def create_brand(
    request: Request,
    session: SessionDep,
    user: WebPlatformAdmin,
    name: Annotated[str, Form()] = "",
    slug: Annotated[str, Form()] = "",
    currency: Annotated[str, Form()] = "",
    admin_email: Annotated[str, Form()] = "",
) -> Response:
    """Open a brand with its first admin; the admin's temporary password is shown once."""
    values = {
        "name": name.strip(),
        "slug": slug.strip(),
        "currency": currency.strip().upper(),
        "admin_email": admin_email.strip(),
    }
    errors = _brand_errors(values)
    if not errors:
        password = new_secret(12)
        data = BrandCreate(**values, admin_password=password)
        try:
            brand = brands_service.create_brand(session, user, data)
        except BrandSlugTaken:
            errors["slug"] = "Another brand uses this slug; choose another."
        except EmailTaken:
            errors["admin_email"] = "This email already has a GigCX account; use another address."
        else:
            created = (brand, data.admin_email, password)
            return _brands_page(request, session, user, created=created, status_code=201)
    return _brands_page(request, session, user, errors=errors, values=values, status_code=400)


@router.post("/admin/brands/{brand_id}/name", dependencies=[CsrfChecked])
def rename_brand(
    request: Request,
    session: SessionDep,
    user: WebPlatformAdmin,
    brand_id: uuid.UUID,
    name: Annotated[str, Form()] = "",
) -> Response:
    name = name.strip()
    if problem := _name_error(name):
        errors = {f"name-{brand_id}": problem}
        return _brands_page(request, session, user, errors=errors, status_code=400)
    brands_service.rename_brand(session, user, brand_id, name)
    return redirect("/admin/brands")
