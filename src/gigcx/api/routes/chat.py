"""The chat widget's API: called by the widget's frame (served from this server) or, with
CORS, from the brand's allowed sites. Public: a chat is reached with its visitor token.

Start a chat with the pre-chat form, follow it as server-sent events (numbered, so a reconnect
with ``Last-Event-ID`` misses nothing and repeats nothing), write with an ``Idempotency-Key``,
say typing and seen, answer the bot, or leave and be answered by email.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from gigcx.api.deps import SessionDep
from gigcx.api.errors import ERROR_RESPONSES, error_response
from gigcx.api.sse import wait_for_change
from gigcx.brands.models import Brand, Program
from gigcx.channels.chat import service as chat_service
from gigcx.channels.chat import words
from gigcx.channels.chat.errors import MissingIdempotencyKey, OriginRefused, WidgetNotFound
from gigcx.channels.chat.models import ChatEvent, ChatSession, ChatWidget
from gigcx.channels.chat.schemas import (
    ChatBotAnswer,
    ChatEventRead,
    ChatMessageCreate,
    ChatSeen,
    ChatSessionCreate,
    ChatSessionCreated,
)
from gigcx.config import get_settings
from gigcx.db import fanout, notify
from gigcx.db.session import open_session, unit_of_work
from gigcx.errors import DomainError

router = APIRouter(
    prefix="/chat",
    tags=["chat"],
    responses={
        **ERROR_RESPONSES,
        429: {"description": "Too many chats or messages; Retry-After says when to try again"},
    },
)

COOKIE = "gigcx_chat"
STREAM_SECONDS = 300.0
TYPING_REFRESH_SECONDS = 2.0
TOUCH_SECONDS = 30.0
ALLOWED_HEADERS = "Content-Type, Idempotency-Key, X-Visitor-Token, Last-Event-ID"

TokenHeader = Annotated[
    str | None,
    Header(
        alias="X-Visitor-Token",
        max_length=100,
        description="the visitor token from starting the chat",
    ),
]
TokenCookie = Annotated[str | None, Cookie(alias=COOKIE, max_length=200, include_in_schema=False)]


def own_origin(request: Request) -> str:
    """This server's origin: the configured address, else the one the request reached."""
    base = get_settings().base_url or str(request.base_url)
    scheme, _, rest = base.partition("://")
    return f"{scheme}://{rest.split('/')[0]}".lower()


def _allow(request: Request, response: Response, widget: ChatWidget) -> None:
    """Refuse a browser on a site the brand did not allow; let an allowed one read the answer."""
    origin = request.headers.get("origin")
    chat_service.check_origin(widget, origin, own_origin(request))
    if origin is not None and origin != own_origin(request):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"


def _token(header: str | None, cookie: str | None, chat_id: uuid.UUID) -> str | None:
    if header:
        return header
    if cookie and cookie.startswith(f"{chat_id}."):
        return cookie.partition(".")[2]
    return None


def _visitor_chat(
    request: Request,
    response: Response,
    session: Session,
    session_id: uuid.UUID,
    token: str | None,
) -> ChatSession:
    chat = chat_service.visitor_chat(session, session_id, token)
    _allow(request, response, session.get_one(ChatWidget, chat.widget_id))
    return chat


def _event_read(event: ChatEvent) -> ChatEventRead:
    return ChatEventRead(id=event.seq, kind=event.kind, data=event.data)


@router.get("/widget")
def widget_settings(
    request: Request,
    response: Response,
    session: SessionDep,
    key: Annotated[str, Query(min_length=1, max_length=40)],
    lang: Annotated[str, Query(max_length=35)] = "",
) -> dict[str, Any]:
    """What the snippet shows before the frame opens: the launcher's words, in the browser's
    language. Public; 404 when the widget is off, 403 from a site the brand did not allow."""
    widget = chat_service.widget_for_key(session, key)
    _allow(request, response, widget)
    program = session.get_one(Program, widget.program_id)
    brand = session.get_one(Brand, widget.brand_id)
    language = words.widget_language(
        list(program.languages), lang, request.headers.get("accept-language", "")
    )
    said = words.words(language)
    return {
        "language": language,
        "launcher": said["launcher"],
        "title": said["title"].format(brand=brand.name),
    }


@router.post("/sessions", status_code=201)
def start_session(
    request: Request, response: Response, session: SessionDep, body: ChatSessionCreate
) -> ChatSessionCreated:
    """Start a chat from the pre-chat form: it becomes a ticket (channel chat) that enters
    triage and the offer flow. Keep the visitor token; the frame also gets it as a cookie."""
    widget = chat_service.widget_for_key(session, body.key)
    _allow(request, response, widget)
    chat, token = chat_service.start_session(
        session,
        widget,
        body,
        address=request.client.host if request.client else "",
        accept_language=request.headers.get("accept-language", "")[:200],
        link_base=get_settings().base_url or str(request.base_url),
    )
    is_https = own_origin(request).startswith("https://")
    response.set_cookie(
        COOKIE,
        f"{chat.id}.{token}",
        httponly=True,
        secure=is_https,
        # A cookie for a frame inside another site must be SameSite=None, which needs https.
        samesite="none" if is_https else "lax",
        path="/api/v1/chat",
        max_age=30 * 24 * 3600,
    )
    events = chat_service.events_after(session, chat.id, 0)
    return ChatSessionCreated(
        session_id=chat.id,
        visitor_token=token,
        language=chat.language,
        events=[_event_read(e).model_dump(mode="json") for e in events],
    )


def _sse(name: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _read(
    factory: sessionmaker[Session], chat_id: uuid.UUID, after: int
) -> tuple[list[ChatEventRead], dict[str, object]]:
    session = open_session(factory, writes=False)
    try:
        chat = session.get_one(ChatSession, chat_id)
        events = [_event_read(e) for e in chat_service.events_after(session, chat_id, after)]
        return events, chat_service.widget_state(session, chat)
    finally:
        session.rollback()
        session.close()


def _touch(factory: sessionmaker[Session], chat_id: uuid.UUID) -> None:
    with unit_of_work(factory) as session:
        chat_service.touch_visitor(session, chat_id)


@router.get(
    "/sessions/{session_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "The chat's events"}},
)
async def chat_events(
    request: Request,
    session_id: uuid.UUID,
    token: Annotated[
        str | None,
        Query(max_length=100, description="the visitor token (EventSource sends no headers)"),
    ] = None,
    after: Annotated[int, Query(ge=0, le=2_000_000_000)] = 0,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=20, include_in_schema=False)
    ] = None,
    visitor_token: TokenHeader = None,
    cookie: TokenCookie = None,
) -> Response:
    """Server-sent events: ``message`` (numbered, from the customer's view of the ticket; a
    reconnect with Last-Event-ID or ``?after=`` resumes right after the last one) and ``state``
    (status, who is typing, the offline offer). Internal notes never appear."""
    factory = request.app.state.sessionmaker
    response = Response()
    try:
        with unit_of_work(factory, writes=False) as session:
            chat = _visitor_chat(
                request,
                response,
                session,
                session_id,
                _token(visitor_token or token, cookie, session_id),
            )
            chat_id, ticket_id = chat.id, chat.ticket_id
    except DomainError as error:
        return error_response(error)
    if last_event_id is not None and last_event_id.strip().isdigit():
        after = max(after, int(last_event_id.strip()))

    async def stream() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        started = touched = loop.time()
        last = after
        shown: dict[str, object] | None = None
        yield "retry: 1000\n\n"
        topics = [notify.ticket_topic(ticket_id), notify.chat_topic(chat_id)]
        # Subscribed before the first read: a change committed meanwhile wakes us again.
        with fanout.hub().subscribe(topics) as subscription:
            while True:
                events, state = await run_in_threadpool(_read, factory, chat_id, last)
                for event in events:
                    last = event.id
                    data = {"id": event.id, "kind": event.kind, **event.data}
                    yield _sse("message", data, event.id)
                if state != shown:
                    shown = state
                    yield _sse("state", state)
                now = loop.time()
                if now - touched >= TOUCH_SECONDS:
                    touched = now
                    await run_in_threadpool(_touch, factory, chat_id)
                left = STREAM_SECONDS - (now - started)
                if left <= 0 or await request.is_disconnected():
                    return
                # "Typing" ends with the clock alone; the visitor is touched on time.
                refresh = TYPING_REFRESH_SECONDS if state.get("expert_typing") else TOUCH_SECONDS
                refresh = fanout.hub().refresh_seconds(refresh) or refresh
                pause = min(left, refresh, max(0.0, touched + TOUCH_SECONDS - now))
                async for ping in wait_for_change(request, subscription, pause):
                    yield ping

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no", **response.headers}
    headers.pop("content-length", None)
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@router.post("/sessions/{session_id}/messages", status_code=201)
def post_message(
    request: Request,
    response: Response,
    session: SessionDep,
    session_id: uuid.UUID,
    body: ChatMessageCreate,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=100,
            description="required; the same key on a retry adds no second message",
        ),
    ] = None,
    visitor_token: TokenHeader = None,
    cookie: TokenCookie = None,
) -> ChatEventRead:
    """Write in the chat. A retry with the same Idempotency-Key returns the first message
    (200) and adds nothing."""
    chat = _visitor_chat(
        request, response, session, session_id, _token(visitor_token, cookie, session_id)
    )
    if not idempotency_key or not idempotency_key.strip():
        raise MissingIdempotencyKey()
    event, is_new = chat_service.post_message(
        session, chat, body.body, idempotency_key=idempotency_key.strip()
    )
    if not is_new:
        response.status_code = 200
    return _event_read(event)


@router.post("/sessions/{session_id}/typing", status_code=204)
def typing(
    request: Request,
    response: Response,
    session: SessionDep,
    session_id: uuid.UUID,
    visitor_token: TokenHeader = None,
    cookie: TokenCookie = None,
) -> Response:
    """The visitor is typing; the expert sees it for 30 seconds."""
    chat = _visitor_chat(
        request, response, session, session_id, _token(visitor_token, cookie, session_id)
    )
    chat_service.visitor_typing(session, chat)
    response.status_code = 204
    return response


@router.post("/sessions/{session_id}/seen", status_code=204)
def seen(
    request: Request,
    response: Response,
    session: SessionDep,
    session_id: uuid.UUID,
    body: ChatSeen,
    visitor_token: TokenHeader = None,
    cookie: TokenCookie = None,
) -> Response:
    """The visitor has seen every event up to ``event_id``; the expert sees "seen"."""
    chat = _visitor_chat(
        request, response, session, session_id, _token(visitor_token, cookie, session_id)
    )
    chat_service.mark_seen(session, chat, body.event_id)
    response.status_code = 204
    return response


@router.post("/sessions/{session_id}/bot-answer", status_code=204)
def bot_answer(
    request: Request,
    response: Response,
    session: SessionDep,
    session_id: uuid.UUID,
    body: ChatBotAnswer,
    visitor_token: TokenHeader = None,
    cookie: TokenCookie = None,
) -> Response:
    """The visitor's word on the bot's answer; "this didn't help" routes the chat to a human."""
    chat = _visitor_chat(
        request, response, session, session_id, _token(visitor_token, cookie, session_id)
    )
    chat_service.answer_bot(session, chat, helped=body.helped)
    response.status_code = 204
    return response


@router.post("/sessions/{session_id}/email", status_code=204)
def continue_by_email(
    request: Request,
    response: Response,
    session: SessionDep,
    session_id: uuid.UUID,
    visitor_token: TokenHeader = None,
    cookie: TokenCookie = None,
) -> Response:
    """The visitor leaves: later answers go to the email address of the pre-chat form."""
    chat = _visitor_chat(
        request, response, session, session_id, _token(visitor_token, cookie, session_id)
    )
    chat_service.continue_by_email(session, chat)
    response.status_code = 204
    return response


@router.options("/{path:path}", include_in_schema=False)
def preflight(
    request: Request,
    session: SessionDep,
    path: str,
    key: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """CORS preflight: allowed for the brand's sites only, found from ``?key=`` or the chat."""
    origin = request.headers.get("origin")
    widget: ChatWidget | None = None
    head = path.split("/")
    try:
        if key:
            widget = chat_service.widget_for_key(session, key)
        elif len(head) >= 2 and head[0] == "sessions":
            chat = session.get(ChatSession, uuid.UUID(head[1]))
            widget = session.get(ChatWidget, chat.widget_id) if chat else None
    except (ValueError, WidgetNotFound):
        widget = None
    if widget is None or origin is None:
        return error_response(
            WidgetNotFound() if widget is None else OriginRefused("without an Origin header")
        )
    if not chat_service.is_origin_allowed(widget, origin, own_origin(request)):
        return error_response(OriginRefused(origin))
    return Response(
        status_code=204,
        headers={
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Access-Control-Allow-Methods": "GET, POST",
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": "600",
            "Vary": "Origin",
        },
    )
