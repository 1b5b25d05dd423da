"""The chat widget as a brand's site loads it: ``/widget.js`` (the snippet's script) and the
frame it opens, ``/chat/frame``, served from this server so the brand's page and GigCX share no
cookies or DOM. The frame may be embedded only by the brand's allowed origins (CSP
``frame-ancestors``) and runs no inline script."""

from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from gigcx.api.deps import SessionDep
from gigcx.brands.models import Brand, Program
from gigcx.channels.chat import service as chat_service
from gigcx.channels.chat import words
from gigcx.channels.chat.models import ChatWidget
from gigcx.web.deps import render

router = APIRouter(include_in_schema=False)

WIDGET_SCRIPT = files("gigcx.web") / "static" / "chat" / "widget.js"


def frame_policy(widget: ChatWidget) -> str:
    """The frame's Content-Security-Policy: its own scripts, styles and API only, and only the
    brand's allowed sites may put it in a frame."""
    ancestors = " ".join(["'self'", *widget.allowed_origins])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; form-action 'none'; base-uri 'none'; "
        f"frame-ancestors {ancestors}"
    )


@router.get("/widget.js")
def widget_script() -> Response:
    """The snippet's script: a launcher button that opens the chat frame."""
    return FileResponse(
        str(WIDGET_SCRIPT),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/chat/frame", response_class=HTMLResponse)
def chat_frame(
    request: Request,
    session: SessionDep,
    key: Annotated[str, Query(max_length=40)] = "",
    lang: Annotated[str, Query(max_length=35)] = "",
) -> Response:
    """The chat itself, in the visitor's language: the pre-chat form, then the conversation."""
    widget = chat_service.widget_for_key(session, key)
    program = session.get_one(Program, widget.program_id)
    brand = session.get_one(Brand, widget.brand_id)
    language = words.widget_language(
        list(program.languages), lang, request.headers.get("accept-language", "")
    )
    said = words.words(language)
    topics = [(c.key, c.name) for c in program.categories]
    context = {
        "widget": widget,
        "brand": brand,
        "language": language,
        "w": said,
        "title": said["title"].format(brand=brand.name),
        "topics": topics if widget.asks_topic and len(topics) > 1 else [],
    }
    response = render(request, "chat/frame.html", context)
    response.headers["Content-Security-Policy"] = frame_policy(widget)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
