"""Reply drafts from a language model behind an OpenAI-compatible API, served here over real
HTTP on localhost with a chat completion in that API's format (tests/fixtures/llm/)."""

import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.config import get_settings
from gigcx.tickets.models import Message
from tests.api.helpers import build_marketplace
from tests.assist.test_http import accepted_ticket
from tests.web.helpers import post_form, web_sign_in

COMPLETION = Path(__file__).parent.parent / "fixtures" / "llm" / "chat_completion.json"
DRAFT = (
    "Sorry about the double charge! The second one is a pending authorisation and drops off "
    "within 3 days, so there is nothing you need to do."
)


@dataclass
class FakeLanguageModel:
    url: str
    status: int = 200
    answer: bytes = COMPLETION.read_bytes()
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    # Called while the model is being asked; what it returns lands in ``observed``.
    watch: Callable[[], object] | None = None
    observed: list[object] = field(default_factory=list)


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLanguageModel]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    fake = FakeLanguageModel(url=f"http://127.0.0.1:{server.server_port}/v1")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            fake.requests.append({"path": self.path, **json.loads(self.rfile.read(length))})
            fake.headers.append(dict(self.headers))
            if fake.watch is not None:
                fake.observed.append(fake.watch())
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(fake.answer)))
            self.end_headers()
            self.wfile.write(fake.answer)

        def log_message(self, *args: Any) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("GIGCX_LLM_URL", fake.url)
    monkeypatch.setenv("GIGCX_LLM_MODEL", "qwen2.5-1.5b-instruct-q4_k_m")
    monkeypatch.setenv("GIGCX_LLM_API_KEY", "local-key")
    get_settings.cache_clear()
    yield fake
    server.shutdown()
    server.server_close()
    get_settings.cache_clear()


def approve_answer(client: TestClient, program_id: str, headers: dict[str, str]) -> None:
    created = client.post(
        "/api/v1/answers",
        json={
            "program_id": program_id,
            "intent": "billing",
            "title": "Double charges",
            "body": "A double charge is a pending authorisation; it drops off within 3 days.",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text


def test_the_model_drafts_from_masked_text_and_the_approved_answers(
    client: TestClient, session: Session, factory: sessionmaker[Session], llm: FakeLanguageModel
) -> None:
    market = build_marketplace(client, session, experts=1)
    ticket_id = accepted_ticket(client, market, factory)
    approve_answer(client, market.program_id, market.brand_admin)

    drafted = client.post(f"/api/v1/tickets/{ticket_id}/draft-reply", headers=market.experts[0])

    assert drafted.status_code == 200, drafted.text
    assert drafted.json() == {"body": DRAFT, "model": "qwen2.5-1.5b-instruct-q4_k_m"}
    [sent] = llm.requests
    assert sent["path"] == "/v1/chat/completions"
    assert sent["model"] == "qwen2.5-1.5b-instruct-q4_k_m"
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert sent["messages"][1]["content"] == "I was charged twice. Call me on [phone]."
    assert "+49 30 1234567" not in json.dumps(sent)
    assert "- A double charge is a pending authorisation" in sent["messages"][0]["content"]
    assert "(en)" in sent["messages"][0]["content"]
    assert llm.headers[0]["Authorization"] == "Bearer local-key"


def test_without_a_configured_model_drafting_says_how_to_turn_it_on(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    ticket_id = accepted_ticket(client, market, factory)

    drafted = client.post(f"/api/v1/tickets/{ticket_id}/draft-reply", headers=market.experts[0])

    assert drafted.status_code == 409
    assert "set GIGCX_LLM_URL to an OpenAI-compatible API" in drafted.json()["detail"]


@pytest.mark.parametrize(
    ("status", "answer", "reason"),
    [
        (500, b'{"error": "model not loaded"}', 'answered HTTP 500: {"error": "model not loaded"}'),
        (200, b'{"choices": []}', "answered without a chat completion"),
        (200, b'{"choices": [{"message": {"content": "  "}}]}', "answered with an empty draft"),
    ],
)
def test_a_failing_model_is_a_502_that_says_why_and_writes_nothing(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    llm: FakeLanguageModel,
    status: int,
    answer: bytes,
    reason: str,
) -> None:
    market = build_marketplace(client, session, experts=1)
    ticket_id = accepted_ticket(client, market, factory)
    messages_before = session.scalar(select(func.count()).select_from(Message))
    llm.status, llm.answer = status, answer

    drafted = client.post(f"/api/v1/tickets/{ticket_id}/draft-reply", headers=market.experts[0])

    assert drafted.status_code == 502
    assert drafted.json()["detail"] == (
        f"no draft: the language model at {llm.url} {reason}; try again or write the reply yourself"
    )
    assert session.scalar(select(func.count()).select_from(Message)) == messages_before


def test_an_unreachable_model_is_a_502(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    market = build_marketplace(client, session, experts=1)
    ticket_id = accepted_ticket(client, market, factory)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("GIGCX_LLM_URL", f"http://127.0.0.1:{closed_port}/v1")
    get_settings.cache_clear()
    try:
        drafted = client.post(f"/api/v1/tickets/{ticket_id}/draft-reply", headers=market.experts[0])
    finally:
        get_settings.cache_clear()

    assert drafted.status_code == 502
    assert "did not answer" in drafted.json()["detail"]


def test_the_workspace_puts_the_draft_into_the_reply_box(
    client: TestClient, session: Session, factory: sessionmaker[Session], llm: FakeLanguageModel
) -> None:
    market = build_marketplace(client, session, experts=1)
    ticket_id = accepted_ticket(client, market, factory)
    client.cookies.clear()
    web_sign_in(client, market.expert_emails[0])
    path = f"/expert/tickets/{ticket_id}"

    page = client.get(path)
    drafted = post_form(client, f"{path}/draft")
    llm.status = 503
    failed = post_form(client, f"{path}/draft")

    assert "Draft with AI" in page.text
    assert drafted.status_code == 200
    assert re.search(r"<textarea[^>]*>\s*Sorry about the double charge!", drafted.text)
    assert failed.status_code == 400
    assert "answered HTTP 503" in failed.text and "write the reply yourself" in failed.text


def test_the_workspace_offers_no_draft_without_a_model(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    ticket_id = accepted_ticket(client, market, factory)
    client.cookies.clear()
    web_sign_in(client, market.expert_emails[0])

    page = client.get(f"/expert/tickets/{ticket_id}")

    assert page.status_code == 200
    assert "Draft with AI" not in page.text


@pytest.mark.parametrize("surface", ["api", "web"])
def test_the_model_is_asked_with_no_database_transaction_open(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    llm: FakeLanguageModel,
    surface: str,
) -> None:
    market = build_marketplace(client, session, experts=1)
    ticket_id = accepted_ticket(client, market, factory)
    begun: list[Session] = []

    def note_begin(begun_session: Session, *_: object) -> None:
        begun.append(begun_session)

    # Every session of the app that began a transaction, and which are still in one while the
    # model answers (the test's own session aside).
    llm.watch = lambda: [s for s in begun if s is not session and s.in_transaction()]
    event.listen(factory, "after_begin", note_begin)
    try:
        if surface == "api":
            path = f"/api/v1/tickets/{ticket_id}/draft-reply"
            drafted = client.post(path, headers=market.experts[0])
        else:
            client.cookies.clear()
            web_sign_in(client, market.expert_emails[0])
            drafted = post_form(client, f"/expert/tickets/{ticket_id}/draft")
    finally:
        event.remove(factory, "after_begin", note_begin)

    assert drafted.status_code == 200
    assert DRAFT.split("!")[0] in drafted.text
    assert len(begun) >= 1
    assert llm.observed == [[]]
