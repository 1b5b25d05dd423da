"""A minimal asyncio HTTP/1.1 client for the benchmarks: keep-alive requests and SSE streams.

httpx cost about 1.6 ms of client CPU per request on this machine, so on two shared cores the
client capped the server's speed; this costs about a tenth of that and leaves the cores to the
server. Loopback only, no TLS, no redirects: the benchmarks talk to a server they started.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any


def _request_head(
    host: str, port: int, method: str, path: str, body: bytes, headers: dict[str, str] | None
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if method != "GET":
        lines += ["content-type: application/json", f"content-length: {len(body)}"]
    return "\r\n".join([*lines, "", ""]).encode()


def _parse_head(head: bytes) -> tuple[int, dict[bytes, bytes]]:
    status = int(head.split(b" ", 2)[1])
    fields: dict[bytes, bytes] = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name:
            fields[name.strip().lower()] = value.strip()
    return status, fields


class Connection:
    """One HTTP/1.1 keep-alive connection over asyncio streams; requests one at a time."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        # The server process that answers on it, where the caller asked (0: not known).
        self.pid = 0
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(_request_head(self.host, self.port, method, path, body, headers) + body)
        try:
            status, fields = _parse_head(await self.reader.readuntil(b"\r\n\r\n"))
            if b"content-length" not in fields:
                raise ConnectionError("response without content-length")
            payload = await self.reader.readexactly(int(fields[b"content-length"]))
        except BaseException:
            self.close()
            raise
        if b"close" in fields.get(b"connection", b"").lower():
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Pool:
    """Keep-alive connections handed out one request at a time, opened as needed.

    A connection left idle longer than ``idle_seconds`` is closed rather than reused: uvicorn
    closes keep-alive connections idle for 5 s, and a request written just as the server closes
    its end would fail with nothing read.
    """

    def __init__(self, host: str, port: int, *, idle_seconds: float = 3.0) -> None:
        self.host = host
        self.port = port
        self.idle_seconds = idle_seconds
        self._idle: list[tuple[float, Connection]] = []
        self.opened = 0

    def _connection(self) -> Connection:
        now = time.monotonic()
        while self._idle:
            since, connection = self._idle.pop()
            if now - since < self.idle_seconds:
                return connection
            connection.close()
        self.opened += 1
        return Connection(self.host, self.port)

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        connection = self._connection()
        status, payload = await connection.request(method, path, body, headers)
        if connection.writer is not None:
            self._idle.append((time.monotonic(), connection))
        return status, payload

    async def json(
        self, method: str, path: str, data: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """Send ``data`` as JSON (a POST without a body sends ``{}``); decode a JSON answer."""
        body = b"" if method == "GET" else json.dumps({} if data is None else data).encode()
        status, payload = await self.request(method, path, body, headers)
        try:
            return status, json.loads(payload) if payload else None
        except ValueError:
            return status, None

    def close(self) -> None:
        for _since, connection in self._idle:
            connection.close()
        self._idle.clear()


async def _chunks(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    """The body of a chunked response, chunk by chunk."""
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            return
        chunk = await reader.readexactly(size + 2)
        yield chunk[:-2]


async def server_sent_events(
    host: str, port: int, path: str, headers: dict[str, str] | None = None
) -> AsyncIterator[tuple[str, str, str]]:
    """Follow a text/event-stream on its own connection: yield (event, id, data) as each event
    arrives (comments skipped) until the server ends the stream; raise on an answer not 200."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(_request_head(host, port, "GET", path, b"", headers))
        status, fields = _parse_head(await reader.readuntil(b"\r\n\r\n"))
        if status != 200:
            raise ConnectionError(f"HTTP {status} on {path}")
        if b"chunked" not in fields.get(b"transfer-encoding", b""):
            raise ConnectionError("event stream without chunked transfer encoding")
        pending = b""
        async for chunk in _chunks(reader):
            pending += chunk
            while b"\n\n" in pending:
                block, pending = pending.split(b"\n\n", 1)
                event = _event(block.decode())
                if event is not None:
                    yield event
    finally:
        writer.close()
        with contextlib.suppress(OSError, ConnectionError):
            await writer.wait_closed()


def _event(block: str) -> tuple[str, str, str] | None:
    name, event_id, data = "message", "", []
    for line in block.split("\n"):
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "id":
            event_id = value
        elif field == "data":
            data.append(value)
    if not data and not event_id:
        return None  # a comment (": ping") or an empty block
    return name, event_id, "\n".join(data)
