"""The brand's answers: review experts' proposed best answers, see the approved ones."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from gigcx.api.deps import SessionDep
from gigcx.assist import service as assist_service
from gigcx.assist.enums import AnswerStatus
from gigcx.assist.schemas import AnswerReview
from gigcx.brands.models import Program
from gigcx.brands.queries import readable_programs
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.routes.brand_common import page_context

router = APIRouter(include_in_schema=False)


@router.get("/brand/answers", response_class=HTMLResponse)
def answers(request: Request, session: SessionDep, user: WebStaff) -> Response:
    """Proposed answers waiting for review, then the approved ones the bot and experts use."""
    everything = assist_service.list_answers(session, user)
    context = page_context(
        user,
        programs=session.scalars(readable_programs(user).order_by(Program.name)).all(),
        proposed=[a for a in everything if a.status == AnswerStatus.PROPOSED],
        approved=[a for a in everything if a.status == AnswerStatus.APPROVED],
    )
    return render(request, "brand/answers.html", context)


@router.post("/brand/answers/{answer_id}/review", dependencies=[CsrfChecked])
def review(
    session: SessionDep,
    user: WebStaff,
    answer_id: uuid.UUID,
    decision: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
) -> Response:
    """Approve (with the edits made in the form) or reject a proposed answer."""
    try:
        data = AnswerReview(
            decision=AnswerStatus(decision),
            title=title.strip() or None,
            body=body.strip() or None,
        )
    except (ValueError, ValidationError):
        return redirect("/brand/answers?error=review")
    assist_service.review_answer(session, user, answer_id, data)
    return redirect("/brand/answers")
