"""The chat in the expert's workspace: the expert's typing reaches the widget, and the
workspace follows whether the customer is typing and has seen the latest answer."""

import uuid
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.channels.chat import service as chat_service
from gigcx.db import notify
from gigcx.tickets import service as tickets_service
from gigcx.web.deps import CsrfChecked, WebExpert, stream_expert, stream_session, templates
from gigcx.web.live import live_stream

router = APIRouter(include_in_schema=False)

# "Typing" and "gone to email" end with the clock, without a write.
STATE_REFRESH_SECONDS = 5.0


def chat_state_html(state: chat_service.ExpertChatState | None) -> str:
    return templates.get_template("expert/_chat_state.html").render(chat_state=state)


def _render(factory: sessionmaker[Session], principal: Principal, ticket_id: uuid.UUID) -> str:
    with factory() as session:
        return chat_state_html(chat_service.expert_chat_state(session, principal, ticket_id))


def _open_chat_state(request: Request, ticket_id: uuid.UUID) -> tuple[Principal, list[str]]:
    """The signed-in expert and the topics of the ticket's chat state, checked in one hop."""
    user = stream_expert(request)
    with stream_session(request) as session:
        tickets_service.get_ticket(session, user, ticket_id)
        chat = chat_service.chat_of_ticket(session, ticket_id)
    topics = [notify.ticket_topic(ticket_id)]
    if chat is not None:
        topics.append(notify.chat_topic(chat.id))
    return user, topics


@router.get("/expert/tickets/{ticket_id}/chat/stream")
async def chat_state_stream(request: Request, ticket_id: uuid.UUID) -> StreamingResponse:
    """Push the chat's state (customer typing, "seen") whenever it changes."""
    user, topics = await run_in_threadpool(_open_chat_state, request, ticket_id)
    render_now = partial(_render, request.app.state.sessionmaker, user, ticket_id)
    return live_stream(request, render_now, topics=topics, refresh_seconds=STATE_REFRESH_SECONDS)


@router.post("/expert/tickets/{ticket_id}/typing", dependencies=[CsrfChecked])
def expert_typing(session: SessionDep, user: WebExpert, ticket_id: uuid.UUID) -> Response:
    """The expert is typing an answer: the customer's widget says so for 30 seconds."""
    chat_service.expert_typing(session, user, ticket_id)
    return Response(status_code=204)
