"""Live regions: a part of a page re-rendered on the server and pushed by server-sent events.

A page marks the region with ``data-stream="URL?seen=DIGEST"`` (``static/gigcx.js`` swaps in each
"html" event); the stream re-renders the region every poll and sends it only when it differs
from what the browser shows, so an open page follows changes without a reload.
"""

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

# After this long the stream ends and the browser's EventSource reconnects by itself.
STREAM_SECONDS = 300.0
POLL_SECONDS = 1.0


def sse_event(name: str, html: str) -> str:
    """One server-sent event; every line of the payload gets its own ``data:`` field."""
    data = "\n".join(f"data: {line}" for line in html.splitlines() or [""])
    return f"event: {name}\n{data}\n\n"


def digest(html: str) -> str:
    """A short fingerprint of a region's HTML (blank lines around it aside)."""
    return hashlib.blake2b(html.strip().encode(), digest_size=12).hexdigest()


def live_stream(
    request: Request,
    render: Callable[[], str],
    *,
    seen: str | None = None,
    poll_seconds: float = POLL_SECONDS,
) -> StreamingResponse:
    """Stream ``render()`` (run in a thread, a short unit of work each time) whenever it
    changes; ``seen`` is the digest of what the page already shows."""

    async def events() -> AsyncIterator[str]:
        last = seen
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_SECONDS
        while True:
            html = await run_in_threadpool(render)
            if digest(html) != last:
                last = digest(html)
                yield sse_event("html", html)
            if loop.time() >= deadline or await request.is_disconnected():
                return
            await asyncio.sleep(poll_seconds)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
