"""A real SMTP server for tests (aiosmtpd on a free local port) that keeps what it receives."""

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    """Mail the server took, in order (a send returns once the server has stored it)."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    # Addresses the server refuses for good (550), to test bounces at send time.
    refused: set[str] = field(default_factory=set)
    condition: threading.Condition = field(default_factory=threading.Condition)

    def to(self, address: str) -> list[EmailMessage]:
        return [
            message
            for message, (_, recipients) in zip(self.messages, self.envelopes, strict=True)
            if address in recipients
        ]

    def clear(self) -> None:
        with self.condition:
            self.messages.clear()
            self.envelopes.clear()


class _Handler:
    def __init__(self, received: Received) -> None:
        self.received = received

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.received.refused:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.received.condition:
            self.received.messages.append(parsed)
            self.received.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.received.condition.notify_all()
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class SmtpServer:
    url: str
    host: str
    port: int
    received: Received


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def _smtp_server() -> Iterator[SmtpServer]:
    received = Received()
    port = _free_port()
    controller = Controller(_Handler(received), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(
            url=f"smtp://127.0.0.1:{port}", host="127.0.0.1", port=port, received=received
        )
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(_smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """The test SMTP server, emptied, and GIGCX_SMTP_URL pointing at it."""
    from gigcx.config import get_settings

    _smtp_server.received.clear()
    _smtp_server.received.refused.clear()
    monkeypatch.setattr(get_settings(), "smtp_url", _smtp_server.url)
    return _smtp_server
