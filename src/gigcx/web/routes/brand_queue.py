"""The live queue: waiting tickets, open offers, who is online, SLAs at risk; pushed by SSE."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from gigcx.analytics import service as analytics
from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.web.deps import WebStaff, render, templates
from gigcx.web.routes.brand_common import PRIORITY_NAMES, page_context

router = APIRouter(include_in_schema=False)

STREAM_SECONDS = 300.0
STREAM_POLL_SECONDS = 2.0


def queue_context(session: Session, user: Principal) -> dict[str, Any]:
    return {"queue": analytics.queue_snapshot(session, user), "priorities": PRIORITY_NAMES}


@router.get("/brand/queue", response_class=HTMLResponse)
def queue(request: Request, session: SessionDep, user: WebStaff) -> Response:
    return render(request, "brand/queue.html", page_context(user, **queue_context(session, user)))


def render_queue(factory: sessionmaker[Session], user: Principal) -> str:
    """Render the queue partial in its own short unit of work (read only, so rolled back)."""
    with factory() as session:
        return templates.get_template("brand/_queue.html").render(queue_context(session, user))


def sse_event(name: str, html: str) -> str:
    """One server-sent event; each line of the payload goes in its own ``data:`` field."""
    data = "\n".join(f"data: {line}" for line in html.splitlines() or [""])
    return f"event: {name}\n{data}\n\n"


@router.get("/brand/queue/stream")
async def queue_stream(request: Request, user: WebStaff) -> StreamingResponse:
    """Push the queue whenever it changes; after five minutes the browser reconnects."""
    factory = request.app.state.sessionmaker

    async def events() -> AsyncIterator[str]:
        last = None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_SECONDS
        while True:
            html = await run_in_threadpool(render_queue, factory, user)
            if html != last:
                last = html
                yield sse_event("html", html)
            if loop.time() >= deadline or await request.is_disconnected():
                return
            await asyncio.sleep(STREAM_POLL_SECONDS)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
