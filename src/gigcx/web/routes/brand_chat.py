"""The brand's live chat settings: switch the widget on, its snippet and key, the sites that
may embed it, what the pre-chat form asks, the promised answer time, the offline message."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.channels.chat import service as chat_service
from gigcx.channels.chat.models import DEFAULT_ANSWER_SECONDS, ChatWidget
from gigcx.config import get_settings
from gigcx.errors import InvalidInput
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.routes.brand_common import form_text, page_context, programs_of, require_manager

router = APIRouter(include_in_schema=False)


def _values(widget: ChatWidget | None) -> dict[str, Any]:
    if widget is None:
        return {
            "program_id": "",
            "is_enabled": False,
            "allowed_origins": "",
            "asks_name": True,
            "asks_topic": True,
            "answer_seconds": str(DEFAULT_ANSWER_SECONDS),
            "offline_message": "",
        }
    return {
        "program_id": str(widget.program_id),
        "is_enabled": widget.is_enabled,
        "allowed_origins": "\n".join(widget.allowed_origins),
        "asks_name": widget.asks_name,
        "asks_topic": widget.asks_topic,
        "answer_seconds": str(widget.answer_seconds),
        "offline_message": widget.offline_message,
    }


def _page(
    request: Request,
    session: Session,
    user: Principal,
    brand_id: uuid.UUID,
    *,
    values: dict[str, Any] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    widget = chat_service.widget_of(session, brand_id)
    server = (get_settings().base_url or str(request.base_url)).rstrip("/")
    context = page_context(
        user,
        widget=widget,
        values=values or _values(widget),
        programs=[(str(p.id), p.name) for p in programs_of(session, user)],
        server=server,
        error=error,
    )
    return render(request, "brand/chat.html", context, status_code=status_code)


@router.get("/brand/chat", response_class=HTMLResponse)
def chat_settings(request: Request, session: SessionDep, user: WebStaff) -> Response:
    return _page(request, session, user, require_manager(user))


@router.post("/brand/chat", dependencies=[CsrfChecked])
async def save_chat_settings(request: Request, session: SessionDep, user: WebStaff) -> Response:
    """Save the widget's settings; the first save makes its public key."""
    brand_id = require_manager(user)
    form = await request.form()
    values: dict[str, Any] = {
        "program_id": form_text(form, "program_id"),
        "is_enabled": form_text(form, "is_enabled") == "true",
        "allowed_origins": form_text(form, "allowed_origins"),
        "asks_name": form_text(form, "asks_name") == "true",
        "asks_topic": form_text(form, "asks_topic") == "true",
        "answer_seconds": form_text(form, "answer_seconds"),
        "offline_message": form_text(form, "offline_message"),
    }
    try:
        try:
            program_id = uuid.UUID(values["program_id"])
        except ValueError:
            raise InvalidInput("choose the program whose tickets the chats become") from None
        try:
            answer_seconds = int(values["answer_seconds"])
        except ValueError:
            raise InvalidInput("write the promised answer time in whole seconds") from None
        settings = chat_service.WidgetSettings(
            program_id=program_id,
            is_enabled=values["is_enabled"],
            allowed_origins=values["allowed_origins"].split(),
            asks_name=values["asks_name"],
            asks_topic=values["asks_topic"],
            answer_seconds=answer_seconds,
            offline_message=values["offline_message"],
        )
        chat_service.save_widget(session, brand_id, settings)
    except InvalidInput as problem:
        message = problem.detail[0].upper() + problem.detail[1:] + "."
        return _page(
            request, session, user, brand_id, values=values, error=message, status_code=400
        )
    return redirect("/brand/chat?saved=1")


@router.post("/brand/chat/key", dependencies=[CsrfChecked])
def renew_chat_key(session: SessionDep, user: WebStaff) -> Response:
    """Give the widget a new public key (snippets with the old one stop working)."""
    widget = chat_service.widget_of(session, require_manager(user))
    if widget is not None:
        chat_service.renew_key(session, widget)
    return redirect("/brand/chat?renewed=1")
