"""Courses for brand staff: a simple editor for modules, quiz questions and re-certification."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.errors import InvalidInput
from gigcx.training import service as training_service
from gigcx.training.schemas import CourseCreate, ModuleIn, QuestionIn
from gigcx.web.deps import CsrfChecked, Submitted, WebStaff, redirect, render
from gigcx.web.forms import field_errors
from gigcx.web.routes.brand_common import form_text, page_context, require_manager

router = APIRouter(include_in_schema=False)


def _course_page(
    request: Request,
    session: Session,
    user: Principal,
    course_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    course = training_service.get_course(session, user, course_id)
    program = brands_service.get_program(session, user, course.program_id)
    context = page_context(
        user, course=course, program=program, errors=errors or {}, values=values or {}
    )
    return render(request, "brand/course.html", context, status_code=status_code)


@router.get("/brand/quality/programs/{program_id}/courses/new", response_class=HTMLResponse)
def new_course(
    request: Request, session: SessionDep, user: WebStaff, program_id: uuid.UUID
) -> Response:
    require_manager(user)
    program = brands_service.get_program(session, user, program_id)
    context = page_context(user, program=program, errors={}, values={})
    return render(request, "brand/course_new.html", context)


@router.post("/brand/quality/programs/{program_id}/courses/new", dependencies=[CsrfChecked])
def create_course(
    request: Request, session: SessionDep, user: WebStaff, program_id: uuid.UUID, form: Submitted
) -> Response:
    """Open a draft course; modules and questions are added on its page."""
    require_manager(user)
    program = brands_service.get_program(session, user, program_id)
    values = {k: form_text(form, k) for k in ("title", "description", "pass_mark", "max_attempts")}
    values["valid_days"] = form_text(form, "valid_days")
    try:
        data = CourseCreate.model_validate({k: v for k, v in values.items() if v})
    except ValidationError as error:
        context = page_context(user, program=program, errors=field_errors(error), values=values)
        return render(request, "brand/course_new.html", context, status_code=400)
    course = training_service.create_course(session, user, program.id, data)
    return redirect(f"/brand/quality/courses/{course.id}")


@router.get("/brand/quality/courses/{course_id}", response_class=HTMLResponse)
def course_page(
    request: Request, session: SessionDep, user: WebStaff, course_id: uuid.UUID
) -> Response:
    return _course_page(request, session, user, course_id)


@router.post("/brand/quality/courses/{course_id}/modules", dependencies=[CsrfChecked])
def add_module(
    request: Request, session: SessionDep, user: WebStaff, course_id: uuid.UUID, form: Submitted
) -> Response:
    values = {
        "module_title": form_text(form, "module_title"),
        "module_body": form_text(form, "module_body"),
    }
    try:
        data = ModuleIn(title=values["module_title"], body=values["module_body"])
    except ValidationError as error:
        errors = {f"module_{k}": v for k, v in field_errors(error).items()}
        return _course_page(
            request, session, user, course_id, errors=errors, values=values, status_code=400
        )
    training_service.add_module(session, user, course_id, data)
    return redirect(f"/brand/quality/courses/{course_id}")


@router.post("/brand/quality/courses/{course_id}/questions", dependencies=[CsrfChecked])
def add_question(
    request: Request, session: SessionDep, user: WebStaff, course_id: uuid.UUID, form: Submitted
) -> Response:
    """Add a question: options one per line, right answers as option numbers from 1."""
    values = {k: form_text(form, k) for k in ("prompt", "kind", "options", "correct")}
    errors: dict[str, str] = {}
    correct: list[int] = []
    for part in values["correct"].replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit():
            errors["correct"] = "write the numbers of the right options, such as 1 or 1,3"
            break
        correct.append(int(part) - 1)
    payload: dict[str, Any] = {
        "prompt": values["prompt"],
        "kind": values["kind"] or "single",
        "options": [line.strip() for line in values["options"].splitlines() if line.strip()],
        "correct": correct,
    }
    if not errors:
        try:
            data = QuestionIn.model_validate(payload)
            training_service.add_question(session, user, course_id, data)
        except ValidationError as error:
            errors = field_errors(error)
        except InvalidInput as error:
            errors = {"correct": error.detail}
    if errors:
        return _course_page(
            request, session, user, course_id, errors=errors, values=values, status_code=400
        )
    return redirect(f"/brand/quality/courses/{course_id}")


@router.post("/brand/quality/courses/{course_id}/publish", dependencies=[CsrfChecked])
def publish(session: SessionDep, user: WebStaff, course_id: uuid.UUID) -> Response:
    training_service.publish_course(session, user, course_id)
    return redirect(f"/brand/quality/courses/{course_id}")


@router.post("/brand/quality/courses/{course_id}/recertification", dependencies=[CsrfChecked])
def recertification(
    request: Request, session: SessionDep, user: WebStaff, course_id: uuid.UUID, form: Submitted
) -> Response:
    """After a guideline change: a new version; certificates end after the grace days."""
    note, grace = form_text(form, "note"), form_text(form, "grace_days") or "14"
    if not note or not grace.isdigit():
        errors = {"note": "say what changed"} if not note else {"grace_days": "a number of days"}
        return _course_page(
            request,
            session,
            user,
            course_id,
            errors=errors,
            values={"note": note, "grace_days": grace},
            status_code=400,
        )
    training_service.require_recertification(
        session, user, course_id, note=note, grace_days=int(grace)
    )
    return redirect(f"/brand/quality/courses/{course_id}")
