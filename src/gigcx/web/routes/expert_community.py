"""The expert's offer alerts, announcements of their programs and feedback to the brand."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.assist import service as assist_service
from gigcx.assist.enums import AnswerStatus
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.channels.community import service as community_service
from gigcx.channels.community.enums import FEEDBACK_KIND_LABELS, DigestFrequency
from gigcx.channels.community.queries import enrolled_program_ids
from gigcx.channels.community.schemas import (
    AlertSettingsUpdate,
    ExpertAnnouncementRead,
    FeedbackCreate,
)
from gigcx.errors import DomainError
from gigcx.web.deps import CsrfChecked, WebExpert, redirect, render
from gigcx.web.forms import field_errors

router = APIRouter(include_in_schema=False)

DIGEST_LABELS = {
    DigestFrequency.OFF: "No digest",
    DigestFrequency.DAILY: "Daily",
    DigestFrequency.WEEKLY: "Weekly (Mondays)",
}


def community_notices(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """Dashboard notices: unread announcements and answers to the expert's feedback."""
    notices: list[tuple[str, str]] = []
    unread = community_service.unread_announcement_count(session, principal)
    if unread:
        noun = "announcement" if unread == 1 else "announcements"
        notices.append((f"{unread} new {noun} from your programs.", "/expert/announcements"))
    for feedback in community_service.unseen_answers(session, principal):
        notices.append(
            (
                "The brand answered your feedback: read the answer.",
                f"/expert/feedback#f-{feedback.id}",
            )
        )
    return notices


def alert_context(session: Session, principal: Principal) -> dict[str, Any]:
    """What the offer feed and the profile need to show the expert's alert choices."""
    return {
        "alerts": community_service.alert_settings(session, principal),
        "digest_labels": DIGEST_LABELS,
    }


@router.post("/expert/alerts", dependencies=[CsrfChecked])
def update_alerts(
    session: SessionDep,
    user: WebExpert,
    is_browser_on: Annotated[bool, Form()] = False,
    is_sound_on: Annotated[bool, Form()] = False,
    is_email_on: Annotated[bool, Form()] = False,
    digest: Annotated[str, Form()] = DigestFrequency.OFF.value,
) -> Response:
    """Save how the expert hears of new offers (unticked boxes are off)."""
    try:
        frequency = DigestFrequency(digest)
    except ValueError:
        frequency = DigestFrequency.OFF
    community_service.update_alert_settings(
        session,
        user,
        AlertSettingsUpdate(
            is_browser_on=is_browser_on,
            is_sound_on=is_sound_on,
            is_email_on=is_email_on,
            digest=frequency,
        ),
    )
    return redirect("/expert/profile?alerts=saved#alerts-h")


@router.get("/expert/announcements", response_class=HTMLResponse)
def announcements(request: Request, session: SessionDep, user: WebExpert) -> Response:
    """The announcements of the expert's programs, unread first."""
    listing = community_service.expert_announcements(session, user)
    context = {"user": user, "items": listing.items, "unread_count": listing.unread_count}
    return render(request, "expert/announcements.html", context)


@router.post("/expert/announcements/{announcement_id}/read", dependencies=[CsrfChecked])
def mark_read(session: SessionDep, user: WebExpert, announcement_id: uuid.UUID) -> Response:
    community_service.mark_announcement_read(session, user, announcement_id)
    return redirect("/expert/announcements")


def _feedback_page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    programs = session.scalars(
        select(Program).where(Program.id.in_(enrolled_program_ids(user))).order_by(Program.name)
    ).all()
    answers = assist_service.list_answers(session, user, status=AnswerStatus.APPROVED)
    context = {
        "user": user,
        "programs": programs,
        "program_names": {p.id: p.name for p in programs},
        "answers": answers,
        "answer_titles": {a.id: a.title for a in answers},
        "kinds": FEEDBACK_KIND_LABELS,
        "items": community_service.list_feedback(session, user),
        "values": values or {},
        "errors": errors or {},
        "is_sent": request.query_params.get("sent") == "1",
    }
    return render(request, "expert/feedback.html", context, status_code=status_code)


@router.get("/expert/feedback", response_class=HTMLResponse)
def feedback_page(
    request: Request, session: SessionDep, user: WebExpert, ticket_id: str = ""
) -> Response:
    """The expert's feedback with the brand's answers, and a form to send more."""
    return _feedback_page(request, session, user, values={"ticket_id": ticket_id})


@router.post("/expert/feedback", dependencies=[CsrfChecked])
def send_feedback(
    request: Request,
    session: SessionDep,
    user: WebExpert,
    kind: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    program_id: Annotated[str, Form()] = "",
    ticket_id: Annotated[str, Form()] = "",
    answer_id: Annotated[str, Form()] = "",
) -> Response:
    """Send feedback on a program, or on a ticket the expert worked (from its workspace)."""
    values = {
        "kind": kind,
        "body": body,
        "program_id": program_id,
        "ticket_id": ticket_id,
        "answer_id": answer_id,
    }
    try:
        data = FeedbackCreate.model_validate(
            {
                "kind": kind,
                "body": body,
                "ticket_id": ticket_id or None,
                "program_id": None if ticket_id else (program_id or None),
                "answer_id": answer_id or None,
            }
        )
    except ValidationError as error:
        errors = field_errors(error)
        return _feedback_page(request, session, user, values=values, errors=errors, status_code=400)
    try:
        community_service.send_feedback(session, user, data)
    except DomainError as error:
        session.rollback()
        message = error.detail[0].upper() + error.detail[1:] + "."
        return _feedback_page(
            request,
            session,
            user,
            values=values,
            errors={"form": message},
            status_code=error.status_code,
        )
    return redirect("/expert/feedback?sent=1")


@router.post("/expert/feedback/{feedback_id}/seen", dependencies=[CsrfChecked])
def answer_seen(session: SessionDep, user: WebExpert, feedback_id: uuid.UUID) -> Response:
    community_service.mark_answer_seen(session, user, feedback_id)
    return redirect(f"/expert/feedback#f-{feedback_id}")


def ticket_feedback_context(
    session: Session, principal: Principal, ticket_id: uuid.UUID
) -> dict[str, Any]:
    """The workspace's feedback form: shown on tickets the expert held."""
    if not community_service.has_worked(session, principal, ticket_id):
        return {"can_send_feedback": False}
    return {
        "can_send_feedback": True,
        "feedback_kinds": FEEDBACK_KIND_LABELS,
        "feedback_answers": assist_service.list_answers(
            session, principal, status=AnswerStatus.APPROVED
        ),
    }


def announcements_by_program(
    session: Session, principal: Principal
) -> dict[uuid.UUID, list[ExpertAnnouncementRead]]:
    """The expert's announcements per program (unread first), for the programs page."""
    grouped: dict[uuid.UUID, list[ExpertAnnouncementRead]] = {}
    for item in community_service.expert_announcements(session, principal).items:
        grouped.setdefault(item.program_id, []).append(item)
    return grouped
