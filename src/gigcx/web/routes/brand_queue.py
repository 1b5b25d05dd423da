"""The live queue: waiting tickets, open offers, who is online, SLAs at risk; pushed by SSE."""

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from gigcx.analytics import service as analytics
from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.db import notify
from gigcx.web.deps import WebStaff, render, stream_staff, templates
from gigcx.web.live import Region, live_stream
from gigcx.web.routes.brand_common import PRIORITY_NAMES, page_context

router = APIRouter(include_in_schema=False)

# Past a moment the queue changes at by the clock alone (an offer running out, an SLA clock
# coming within reach): the stream renders again this long after it, never sooner than
# MIN_REFRESH_SECONDS after the last render.
AFTER_CHANGE_SECONDS = 0.5
MIN_REFRESH_SECONDS = 1.0


def queue_context(session: Session, user: Principal) -> dict[str, Any]:
    return {"queue": analytics.queue_snapshot(session, user), "priorities": PRIORITY_NAMES}


@router.get("/brand/queue", response_class=HTMLResponse)
def queue(request: Request, session: SessionDep, user: WebStaff) -> Response:
    return render(request, "brand/queue.html", page_context(user, **queue_context(session, user)))


def render_queue(factory: sessionmaker[Session], user: Principal) -> Region:
    """Render the queue partial in its own short unit of work (read only, so rolled back), with
    how long until it changes by the clock alone: waiting times and countdowns tick in the
    browser, so that is only when an offer runs out or an SLA clock reaches a threshold."""
    with factory() as session:
        context = queue_context(session, user)
        html = templates.get_template("brand/_queue.html").render(context)
    snapshot: analytics.QueueSnapshot = context["queue"]
    if snapshot.next_change_at is None:
        return Region(html)
    until = (snapshot.next_change_at - snapshot.at).total_seconds() + AFTER_CHANGE_SECONDS
    return Region(html, max(MIN_REFRESH_SECONDS, until))


@router.get("/brand/queue/stream")
async def queue_stream(request: Request) -> StreamingResponse:
    """Push the queue whenever it changes; after five minutes the browser reconnects."""
    user = await run_in_threadpool(stream_staff, request)
    factory = request.app.state.sessionmaker
    render_now = partial(render_queue, factory, user)
    # A platform admin's queue spans every brand.
    topics = [notify.brand_topic(user.brand_id) if user.brand_id else notify.any_brand_topic()]
    return live_stream(request, render_now, topics=topics)
