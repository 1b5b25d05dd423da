"""Live regions: a part of a page re-rendered on the server and pushed by server-sent events.

A page marks the region with ``data-stream="URL?seen=DIGEST"`` (``static/gigcx.js`` swaps in each
"html" event). The stream subscribes to the topics the region shows (``gigcx.db.notify``) and
re-renders it only when one of them is notified, or when what it shows changes with the clock
alone (a ``Region``'s ``refresh_seconds``, which each render may set anew); it sends the region
only when it differs from what the browser shows. Nothing re-reads on a timer per viewer.

Each event's id is the digest of its HTML, so the browser's automatic reconnect (with
``Last-Event-ID``) resumes from what it shows: whatever changed meanwhile arrives at once, and
nothing is sent again when nothing changed.
"""

import asyncio
import hashlib
import random
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from gigcx.api.sse import wait_for_change
from gigcx.db import fanout

# After this long (plus up to a fifth more, at random, so that feeds opened together after a
# deploy do not all reconnect at the same moment again) the stream ends and the browser's
# EventSource reconnects by itself.
STREAM_SECONDS = 300.0
STREAM_JITTER = 0.2


@dataclass(frozen=True, slots=True)
class Region:
    """A rendered region, and how long until it changes with the clock alone (None: it does
    not; only a notification changes it)."""

    html: str
    refresh_seconds: float | None = None


def sse_event(name: str, html: str, event_id: str | None = None) -> str:
    """One server-sent event; every line of the payload gets its own ``data:`` field."""
    head = f"event: {name}\n" + (f"id: {event_id}\n" if event_id is not None else "")
    data = "\n".join(f"data: {line}" for line in html.splitlines() or [""])
    return f"{head}{data}\n\n"


def digest(html: str) -> str:
    """A short fingerprint of a region's HTML (blank lines around it aside)."""
    return hashlib.blake2b(html.strip().encode(), digest_size=12).hexdigest()


def shown_digest(request: Request, seen: str | None) -> str | None:
    """What the browser shows: the last event's id on a reconnect, else the page's digest."""
    last_event_id = request.headers.get("last-event-id", "").strip()
    if last_event_id and len(last_event_id) <= 64:
        return last_event_id
    return seen


def live_stream(
    request: Request,
    render: Callable[[], str | Region],
    *,
    topics: Iterable[str],
    seen: str | None = None,
    refresh_seconds: float | None = None,
) -> StreamingResponse:
    """Stream ``render()`` (run in a thread, a short unit of work each time) whenever it
    changes: when one of ``topics`` is notified, and after the ``Region``'s refresh_seconds
    (else every ``refresh_seconds``, if given)."""
    shown = shown_digest(request, seen)
    wanted = frozenset(topics)

    async def events() -> AsyncIterator[str]:
        last = shown
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_SECONDS * (1 + random.random() * STREAM_JITTER)
        # Subscribed before the first render: a change committed meanwhile wakes us again.
        with fanout.hub().subscribe(wanted) as subscription:
            while True:
                rendered = await run_in_threadpool(render)
                region = rendered if isinstance(rendered, Region) else Region(rendered)
                if digest(region.html) != last:
                    last = digest(region.html)
                    yield sse_event("html", region.html, last)
                left = deadline - loop.time()
                if left <= 0 or await request.is_disconnected():
                    return
                by_clock = region.refresh_seconds
                if by_clock is None:
                    by_clock = refresh_seconds
                refresh = fanout.hub().refresh_seconds(by_clock)
                pause = left if refresh is None else min(left, refresh)
                async for ping in wait_for_change(request, subscription, pause):
                    yield ping
                if await request.is_disconnected():
                    return

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
