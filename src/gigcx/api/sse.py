"""Server-sent event streams that sleep until a change notification wakes them."""

import asyncio
from collections.abc import AsyncIterator

from fastapi import Request

from gigcx.db import fanout

# A comment line this often keeps proxies from closing a quiet stream; it reads nothing.
PING_SECONDS = 25.0


async def wait_for_change(
    request: Request, subscription: fanout.Subscription, seconds: float
) -> AsyncIterator[str]:
    """Wait up to ``seconds`` for a notification, yielding a ping comment now and then; stop
    early when one arrives or the client has gone."""
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    while (left := until - loop.time()) > 0:
        if await subscription.wait(min(left, PING_SECONDS)):
            return
        if await request.is_disconnected():
            return
        if until - loop.time() > 0:
            yield ": ping\n\n"
