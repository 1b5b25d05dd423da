"""The brand's answers: review experts' proposed best answers, see the approved ones."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.assist import service as assist_service
from gigcx.assist.enums import AnswerStatus, BotUse
from gigcx.assist.schemas import AnswerReview
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.brands.queries import readable_programs
from gigcx.errors import DomainError
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.routes.brand_common import page_context

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    everything = assist_service.list_answers(session, user)
    programs = session.scalars(readable_programs(user).order_by(Program.name)).all()
    proposed = [a for a in everything if a.status == AnswerStatus.PROPOSED]
    context = page_context(
        user,
        programs=programs,
        program_of={p.id: p for p in programs},
        proposed=proposed,
        # What approving each proposal would replace: the bot's current answer for its slot.
        replaces={a.id: assist_service.replaced_by(session, a) for a in proposed},
        approved=[a for a in everything if a.status == AnswerStatus.APPROVED],
        errors=errors or {},
    )
    return render(request, "brand/answers.html", context, status_code=status_code)


@router.get("/brand/answers", response_class=HTMLResponse)
def answers(request: Request, session: SessionDep, user: WebStaff) -> Response:
    """Proposed answers waiting for review, then the approved ones the bot and experts use."""
    return _page(request, session, user)


@router.post("/brand/answers/{answer_id}/review", dependencies=[CsrfChecked])
def review(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    answer_id: uuid.UUID,
    decision: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "",
    bot_use: Annotated[str, Form()] = "",
) -> Response:
    """Approve (with the edits made in the form) or reject a proposed answer."""
    try:
        data = AnswerReview(
            decision=AnswerStatus(decision),
            title=title.strip() or None,
            body=body.strip() or None,
            language=language.strip() or None,
            bot_use=BotUse(bot_use) if bot_use else None,
        )
    except (ValueError, ValidationError):
        errors = {
            str(answer_id): "Choose approve or reject, keep the title and text filled in "
            "(at most 200 characters for the title) and pick one of the program's languages."
        }
        return _page(request, session, user, errors=errors, status_code=400)
    try:
        assist_service.review_answer(session, user, answer_id, data)
    except DomainError as error:
        session.rollback()
        message = error.detail[0].upper() + error.detail[1:] + "."
        return _page(
            request, session, user, errors={str(answer_id): message}, status_code=error.status_code
        )
    return redirect("/brand/answers")
