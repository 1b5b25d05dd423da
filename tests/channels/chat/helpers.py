"""A brand with a chat widget, and small steps of the widget's protocol."""

import json
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand, Program
from gigcx.channels.chat import service as chat_service
from gigcx.channels.chat.models import ChatWidget
from gigcx.experts.models import Expert
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import make_expert

SHOP = "https://shop.example.com"


@dataclass
class ChatSite:
    brand: Brand
    program: Program
    widget: ChatWidget
    expert: Expert

    @property
    def key(self) -> str:
        return self.widget.public_key


def make_chat_site(
    session: Session, *, languages: tuple[str, ...] = ("en",), **settings: Any
) -> ChatSite:
    brand = make_brand(session)
    program = make_program(session, brand, languages=languages)
    expert = make_expert(session, programs=[program], languages={code: 5 for code in languages})
    values: dict[str, Any] = {
        "program_id": program.id,
        "is_enabled": True,
        "allowed_origins": [SHOP],
        "asks_name": True,
        "asks_topic": True,
        **settings,
    }
    widget = chat_service.save_widget(session, brand.id, chat_service.WidgetSettings(**values))
    session.commit()
    return ChatSite(brand, program, widget, expert)


def form(site: ChatSite, **overrides: Any) -> dict[str, Any]:
    return {
        "key": site.key,
        "name": "Vera Visitor",
        "email": "vera@example.com",
        "topic": "billing",
        "body": "My invoice shows a double charge.",
        **overrides,
    }


def start(client: TestClient, site: ChatSite, **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/v1/chat/sessions", json=form(site, **overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def token_header(chat: dict[str, Any]) -> dict[str, str]:
    return {"X-Visitor-Token": chat["visitor_token"]}


def write(client: TestClient, chat: dict[str, Any], body: str, key: str | None = None) -> Any:
    headers = {**token_header(chat), "Idempotency-Key": key or str(uuid.uuid4())}
    return client.post(
        f"/api/v1/chat/sessions/{chat['session_id']}/messages", json={"body": body}, headers=headers
    )


def read_stream(
    client: TestClient,
    chat: dict[str, Any],
    *,
    last_event_id: int | None = None,
    messages: int | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Read the chat's stream: every message up to the first state event (or the first
    ``messages`` messages), then hang up. Returns the messages and that state."""
    headers = token_header(chat)
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    got: list[dict[str, Any]] = []
    state = None
    name = ""
    url = f"/api/v1/chat/sessions/{chat['session_id']}/events"
    with client.stream("GET", url, headers=headers) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: ") and name == "message":
                got.append(json.loads(line.removeprefix("data: ")))
                if messages is not None and len(got) == messages:
                    break
            elif line.startswith("data: ") and name == "state":
                state = json.loads(line.removeprefix("data: "))
                break
    return got, state
