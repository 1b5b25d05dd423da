"""A pure ASGI guard in front of the application: what it refuses never reaches a route.

- Request bodies over a size cap are refused with 413 before anything parses them: at once
  from ``Content-Length``, and while streaming by counting the bytes received.
- A NUL character in the path or query (``%00``) is refused with 400: no text can hold it.
- ``OPTIONS`` on any route answers 204 with an ``Allow`` header naming every method the path
  takes; a 405 names them all too. A CORS preflight under ``cors_prefixes`` goes on to its
  route instead, which decides which sites may call it.
"""

import re
from collections.abc import Callable, Mapping, Sequence

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gigcx.errors import DomainError, InvalidInput

MiB = 1024 * 1024
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class BodyTooLarge(DomainError):
    status_code = 413

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the request body is larger than {_size(limit)}, the most this server takes; "
            "send less (long texts in parts, files as links)"
        )


class BodyTooLargeWhileReading(HTTPException):
    """Raised from ``receive`` once the streamed body passes the cap; a handler answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=BodyTooLarge(limit).detail)
        self.limit = limit


class NulInAddress(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "the address contains a NUL character (%00), which no path or query value may "
            "hold; remove it"
        )


class BadContentLength(InvalidInput):
    def __init__(self) -> None:
        super().__init__("the Content-Length header is not a number of bytes; fix or drop it")


def _size(limit: int) -> str:
    if limit >= MiB and limit % MiB == 0:
        return f"{limit // MiB} MiB ({limit:,} bytes)"
    return f"{limit:,} bytes"


Refuse = Callable[[Scope, DomainError], Response]


class RequestGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        routes: Callable[[], Sequence[BaseRoute]],
        refuse: Refuse,
        body_limits: Mapping[str, int] | None = None,
        cors_prefixes: Sequence[str] = (),
    ) -> None:
        """``body_limits`` maps path prefixes (e.g. an upload route) to caps of their own."""
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.routes = routes
        self.refuse = refuse
        self.body_limits = dict(body_limits or {})
        self.cors_prefixes = tuple(cors_prefixes)

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.body_limits.items():
            if path.startswith(prefix):
                return limit
        return self.max_body_bytes

    def allowed_methods(self, scope: Scope) -> set[str]:
        """Every method some route takes at this path (OPTIONS included when any does)."""
        methods: set[str] = set()
        for route in self.routes():
            for method in METHODS:
                if route.matches({**scope, "method": method})[0] == Match.FULL:
                    # A mounted file server answers GET and HEAD, whatever it is asked.
                    methods |= {"GET", "HEAD"} if isinstance(route, Mount) else {method}
        if methods:
            methods.add("OPTIONS")
        return methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        query: bytes = scope.get("query_string", b"")
        if "\x00" in path or b"%00" in query or b"\x00" in query:
            await self.refuse(scope, NulInAddress())(scope, receive, send)
            return
        is_preflight = path.startswith(self.cors_prefixes) and bool(self.cors_prefixes)
        is_preflight = is_preflight and "access-control-request-method" in Headers(scope=scope)
        if scope["method"] == "OPTIONS" and not is_preflight:
            allowed = self.allowed_methods(scope)
            if allowed:
                answer = Response(status_code=204, headers={"Allow": ", ".join(sorted(allowed))})
                await answer(scope, receive, send)
                return
        limit = self.limit_for(path)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not re.fullmatch(r"[0-9]+", declared.strip()):
                await self.refuse(scope, BadContentLength())(scope, receive, send)
                return
            if int(declared) > limit:
                await self.refuse(scope, BodyTooLarge(limit))(scope, receive, send)
                return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeWhileReading(limit)
            return message

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                allow = ", ".join(sorted(self.allowed_methods(scope)))
                message = {**message, "headers": [*headers, (b"allow", allow.encode())]}
            await send(message)

        await self.app(scope, counted_receive, send_with_allow)
