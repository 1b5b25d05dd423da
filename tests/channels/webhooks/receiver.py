"""A real webhook receiver for tests: an HTTP server on 127.0.0.1 that verifies every request
with the reference library (standardwebhooks) and answers as the test scripts it."""

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import standardwebhooks.webhooks
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from gigcx.config import get_settings
from gigcx.kit import clock


class _ClockDatetime(datetime):
    """The library checks the timestamp against its wall clock; ours moves in tests."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> "_ClockDatetime":
        moment = clock.now().astimezone(tz)
        return cls.fromtimestamp(moment.timestamp(), tz)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    # What each configured secret made of it: the parsed payload, or the verification error.
    verified: dict[str, Any]
    status: int


@dataclass
class Answer:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Receiver:
    host: str
    port: int
    requests: list[Request] = field(default_factory=list)
    # Answers to give, in order, before falling back to ``default``.
    script: list[Answer] = field(default_factory=list)
    default: Answer = field(default_factory=Answer)
    secrets: list[str] = field(default_factory=list)
    # webhook-ids handled (answered 2xx): what a receiver that dedupes by id processes.
    handled: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def answer(self, *answers: Answer) -> None:
        self.script.extend(answers)

    def reset(self) -> None:
        self.requests.clear()
        self.script.clear()
        self.default = Answer()
        self.secrets.clear()
        self.handled.clear()


def _verify(secret: str, body: bytes, headers: dict[str, str]) -> Any:
    try:
        return Webhook(secret).verify(body, headers)
    except WebhookVerificationError as error:
        return error


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            with receiver.lock:
                answer = receiver.script.pop(0) if receiver.script else receiver.default
                verified = {s: _verify(s, body, headers) for s in receiver.secrets}
                receiver.requests.append(Request(self.path, headers, body, verified, answer.status))
                is_genuine = bool(verified) and all(
                    not isinstance(v, Exception) for v in verified.values()
                )
                is_new = headers["webhook-id"] not in receiver.handled
                if 200 <= answer.status < 300 and is_genuine and is_new:
                    receiver.handled.append(headers["webhook-id"])
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="session")
def _receiver() -> Iterator[Receiver]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    receiver = Receiver(host="127.0.0.1", port=port)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(receiver))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(_receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> Receiver:
    """The test receiver, emptied, allowed by GIGCX_WEBHOOK_ALLOWED_HOSTS, on our clock."""
    _receiver.reset()
    monkeypatch.setattr(get_settings(), "webhook_allowed_hosts", "127.0.0.1")
    monkeypatch.setattr(standardwebhooks.webhooks, "datetime", _ClockDatetime)
    return _receiver
