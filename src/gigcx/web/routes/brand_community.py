"""The console's announcements to a program's experts and the experts' feedback inbox."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.assist.models import Answer
from gigcx.auth.principal import Principal
from gigcx.channels.community import service as community_service
from gigcx.channels.community.enums import FEEDBACK_KIND_LABELS, FeedbackStatus
from gigcx.channels.community.models import Announcement, Feedback
from gigcx.channels.community.schemas import (
    AnnouncementCreate,
    AnnouncementUpdate,
    FeedbackAnswer,
)
from gigcx.experts.models import Expert
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.forms import field_errors
from gigcx.web.routes.brand_common import optional_uuid, page_context, programs_of

router = APIRouter(include_in_schema=False)

FEEDBACK_FILTERS = ("open", "answered", "closed", "all")


def _announcements_page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    program_id: uuid.UUID | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    programs = programs_of(session, user)
    context = page_context(
        user,
        programs=programs,
        program_names={p.id: p.name for p in programs},
        program_id=program_id,
        items=community_service.brand_announcements(session, user, program_id=program_id),
        values=values or {},
        errors=errors or {},
    )
    return render(request, "brand/announcements.html", context, status_code=status_code)


@router.get("/brand/announcements", response_class=HTMLResponse)
def announcements(
    request: Request, session: SessionDep, user: WebStaff, program_id: str = ""
) -> Response:
    """Announcements to the brand's experts, newest first, and a form to post one."""
    chosen = optional_uuid(program_id, label="program")
    return _announcements_page(request, session, user, program_id=chosen)


@router.post("/brand/announcements", dependencies=[CsrfChecked])
def post_announcement(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    program_id: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    is_emailed: Annotated[bool, Form()] = False,
) -> Response:
    values = {"program_id": program_id, "title": title, "body": body}
    chosen = optional_uuid(program_id, label="program")
    try:
        data = AnnouncementCreate(title=title, body=body, is_emailed=is_emailed)
    except ValidationError as error:
        errors = field_errors(error)
        return _announcements_page(
            request, session, user, values=values, errors=errors, status_code=400
        )
    if chosen is None:
        errors = {"program_id": "Choose the program whose experts should read it."}
        return _announcements_page(
            request, session, user, values=values, errors=errors, status_code=400
        )
    announcement = community_service.post_announcement(session, user, chosen, data)
    return redirect(f"/brand/announcements?program_id={chosen}#a-{announcement.id}")


def _edit_page(
    request: Request,
    user: Principal,
    announcement: Announcement,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = page_context(
        user,
        announcement=announcement,
        values=values or {"title": announcement.title, "body": announcement.body},
        errors=errors or {},
    )
    return render(request, "brand/announcement.html", context, status_code=status_code)


@router.get("/brand/announcements/{announcement_id}", response_class=HTMLResponse)
def edit_announcement(
    request: Request, session: SessionDep, user: WebStaff, announcement_id: uuid.UUID
) -> Response:
    announcement = community_service.get_announcement(session, user, announcement_id)
    return _edit_page(request, user, announcement)


@router.post("/brand/announcements/{announcement_id}", dependencies=[CsrfChecked])
def update_announcement(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    announcement_id: uuid.UUID,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
) -> Response:
    announcement = community_service.get_announcement(session, user, announcement_id)
    try:
        data = AnnouncementUpdate(title=title, body=body)
    except ValidationError as error:
        values = {"title": title, "body": body}
        return _edit_page(
            request,
            user,
            announcement,
            values=values,
            errors=field_errors(error),
            status_code=400,
        )
    community_service.update_announcement(session, user, announcement_id, data)
    return redirect(f"/brand/announcements?program_id={announcement.program_id}")


@router.post("/brand/announcements/{announcement_id}/retire", dependencies=[CsrfChecked])
def retire_announcement(
    session: SessionDep,
    user: WebStaff,
    announcement_id: uuid.UUID,
    is_retired: Annotated[bool, Form()] = True,
) -> Response:
    """Retire an announcement (experts no longer see it), or bring it back."""
    announcement = community_service.update_announcement(
        session, user, announcement_id, AnnouncementUpdate(is_retired=is_retired)
    )
    return redirect(f"/brand/announcements?program_id={announcement.program_id}")


def _status_filter(status: str) -> FeedbackStatus | None:
    return FeedbackStatus(status) if status in FeedbackStatus.__members__.values() else None


@router.get("/brand/feedback", response_class=HTMLResponse)
def feedback_inbox(
    request: Request, session: SessionDep, user: WebStaff, status: str = "open"
) -> Response:
    """The experts' feedback to the brand, open first by default."""
    shown = status if status in FEEDBACK_FILTERS else "open"
    items = community_service.list_feedback(session, user, status=_status_filter(shown))
    programs = programs_of(session, user)
    expert_ids = {item.expert_id for item in items}
    rows = session.execute(
        select(Expert.id, Expert.display_name).where(Expert.id.in_(expert_ids))
    ).all()
    names = {expert_id: name for expert_id, name in rows}
    context = page_context(
        user,
        items=items,
        status=shown,
        filters=FEEDBACK_FILTERS,
        kinds=FEEDBACK_KIND_LABELS,
        program_names={p.id: p.name for p in programs},
        expert_names=names,
    )
    return render(request, "brand/feedback.html", context)


def _feedback_page(
    request: Request,
    session: Session,
    user: Principal,
    feedback: Feedback,
    *,
    reply: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    answer = session.get(Answer, feedback.answer_id) if feedback.answer_id else None
    programs = programs_of(session, user)
    context = page_context(
        user,
        item=feedback,
        kinds=FEEDBACK_KIND_LABELS,
        program_names={p.id: p.name for p in programs},
        expert=session.get_one(Expert, feedback.expert_id),
        answer=answer,
        reply=reply or feedback.reply,
        errors=errors or {},
    )
    return render(request, "brand/feedback_item.html", context, status_code=status_code)


@router.get("/brand/feedback/{feedback_id}", response_class=HTMLResponse)
def feedback_item(
    request: Request, session: SessionDep, user: WebStaff, feedback_id: uuid.UUID
) -> Response:
    feedback = community_service.get_feedback(session, user, feedback_id)
    return _feedback_page(request, session, user, feedback)


@router.post("/brand/feedback/{feedback_id}/answer", dependencies=[CsrfChecked])
def answer_feedback(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    feedback_id: uuid.UUID,
    reply: Annotated[str, Form()] = "",
    is_closing: Annotated[bool, Form()] = False,
) -> Response:
    """Answer the expert; they see it with a notice on their dashboard."""
    feedback = community_service.get_feedback(session, user, feedback_id)
    try:
        data = FeedbackAnswer(reply=reply, is_closing=is_closing)
    except ValidationError as error:
        return _feedback_page(
            request,
            session,
            user,
            feedback,
            reply=reply,
            errors={"reply": field_errors(error).get("reply", "Write an answer.")},
            status_code=400,
        )
    community_service.answer_feedback(session, user, feedback_id, data)
    return redirect(f"/brand/feedback/{feedback_id}")


@router.post("/brand/feedback/{feedback_id}/close", dependencies=[CsrfChecked])
def close_feedback(session: SessionDep, user: WebStaff, feedback_id: uuid.UUID) -> Response:
    community_service.close_feedback(session, user, feedback_id)
    return redirect(f"/brand/feedback/{feedback_id}")
