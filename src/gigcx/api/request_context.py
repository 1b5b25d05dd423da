"""Each request gets an id (on its log lines and in X-Request-ID) and its time measured.

An incoming X-Request-ID is kept when it is sane (1 to 64 of ``A-Z a-z 0-9 . _ -``), so a
proxy's or a client's id follows the request through; otherwise one is made up. The time goes to
the ``gigcx_http_request_duration_seconds`` histogram under the route's template (``/api/v1/
tickets/{ticket_id}``, never the filled-in path) with the method and status; requests that
match no route count under ``unmatched``.
"""

import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gigcx.kit import logs, metrics

HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

request_seconds = metrics.histogram(
    "gigcx_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template.",
    ("route", "method", "status"),
)


def route_template(scope: Scope) -> str:
    """The template of the route that took the request, prefixes of included routers too.

    A route knows its path within its router only; the request's path ends with that path
    filled in with the path parameters, and what comes before it is the routers' prefixes.
    """
    route = scope.get("route")
    template = str(getattr(route, "path_format", "") or "")
    if not template:
        return "unmatched"
    filled = template
    convertors = getattr(route, "param_convertors", {})
    for name, value in scope.get("path_params", {}).items():
        convertor = convertors.get(name)
        text = str(convertor.to_string(value) if convertor is not None else value)
        filled = filled.replace("{" + name + "}", text)
    path: str = scope.get("path", "")
    if path.endswith(filled):
        return path[: len(path) - len(filled)] + template
    return template


def request_id_from(incoming: str | None) -> str:
    """The client's id if it is sane, else a new one."""
    if incoming is not None and _SANE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestContext:
    """Pure ASGI middleware, outermost: the request id and the request's time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope).get(HEADER))
        token = logs.current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_seconds.observe(
                time.perf_counter() - started,
                route=route_template(scope),
                method=scope["method"],
                status=str(status),
            )
            logs.current_request_id.reset(token)
