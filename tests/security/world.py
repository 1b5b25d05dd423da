"""Two brands built through the API, each with staff, a key, a program, experts, a ticket worked
by an expert, an answer, a course, a bonus rule, a webhook, an announcement, feedback and a chat;
the ids of brand A's rows by the name routes give them in their paths."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.channels.chat import service as chat_service
from gigcx.tickets.models import Attachment, Offer
from gigcx.web.deps import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE
from tests.api.helpers import PASSWORD, Marketplace, build_marketplace, sign_in, ticket_body


@dataclass
class BrandWorld:
    market: Marketplace
    agent: dict[str, str]
    ticket_id: str
    link_token: str
    chat: dict[str, Any]
    widget_key: str
    ids: dict[str, str] = field(default_factory=dict)


def _ok(response: Any, *statuses: int) -> Any:
    assert response.status_code in (statuses or (200, 201)), response.text
    return response.json() if response.content else None


def build_brand(client: TestClient, session: Session, text: str = "Plain words") -> BrandWorld:
    """A brand whose text fields all hold ``text``; its rows' ids by path parameter name."""
    market = build_marketplace(client, session, experts=2, channels=["chat", "email"])
    admin, key, program = market.brand_admin, market.api_key, market.program_id
    n = uuid.uuid4().hex[:8]
    agent_user = auth_service.create_user(
        session,
        email=f"agent-{n}@example.com",
        password=PASSWORD,
        role=Role.INHOUSE_AGENT,
        display_name=text,
        brand_id=uuid.UUID(market.brand_id),
    )
    session.commit()
    agent = sign_in(client, f"agent-{n}@example.com")
    # The first expert goes offline, so the ticket is offered to the second.
    _ok(
        client.put(
            "/api/v1/experts/me/presence", json={"presence": "offline"}, headers=market.experts[0]
        )
    )
    body = ticket_body(
        market,
        customer={"email": f"carla-{n}@example.com", "name": text},
        subject=text,
        body=text,
    )
    ticket = _ok(client.post("/api/v1/tickets", json=body, headers=key), 201)
    offer = session.scalar(select(Offer.id).where(Offer.ticket_id == uuid.UUID(ticket["id"])))
    assert offer is not None
    worker = market.experts[1]
    _ok(client.post(f"/api/v1/offers/{offer}/accept", headers=worker))
    for is_internal in (False, True):  # a reply and an internal note
        _ok(
            client.post(
                f"/api/v1/tickets/{ticket['id']}/messages",
                json={"body": text, "is_internal": is_internal},
                headers=worker,
            ),
            201,
        )
    # A reply with a file, through the expert's workspace (files go only that way).
    client.cookies.set(SESSION_COOKIE, worker["Authorization"].removeprefix("Bearer "))
    client.cookies.set(CSRF_COOKIE, "world-csrf")
    replied = client.post(
        f"/expert/tickets/{ticket['id']}/reply",
        data={"body": text, CSRF_FIELD: "world-csrf", "send_anyway": "true"},
        files=[("files", ("note.txt", text.encode(), "text/plain"))],
        follow_redirects=False,
    )
    client.cookies.clear()
    assert replied.status_code == 303, replied.text
    attachment = session.scalar(
        select(Attachment.id).where(Attachment.ticket_id == uuid.UUID(ticket["id"]))
    )
    assert attachment is not None
    view = _ok(client.get(f"/api/v1/tickets/{ticket['id']}/customer-view", headers=admin))
    answer = _ok(
        client.post(
            "/api/v1/answers",
            json={
                "program_id": program,
                "intent": "billing",
                "language": "en",
                "title": text,
                "body": f"Refunds reach your card within five days. {text}",
            },
            headers=admin,
        ),
        201,
    )
    course = _ok(
        client.post(f"/api/v1/programs/{program}/courses", json={"title": text}, headers=admin),
        201,
    )
    rule = _ok(
        client.post(
            f"/api/v1/programs/{program}/bonus-rules",
            json={"name": text, "min_tasks": 10, "amount": "5.00"},
            headers=admin,
        ),
        201,
    )
    spare = _ok(client.post("/api/v1/api-keys", json={"name": text}, headers=admin), 201)
    hook = _ok(
        client.post(
            "/api/v1/webhooks/endpoints",
            json={"url": "https://hooks.example.com/in", "description": text},
            headers=admin,
        ),
        201,
    )
    announcement = _ok(
        client.post(
            f"/api/v1/programs/{program}/announcements",
            json={"title": text, "body": text},
            headers=admin,
        ),
        201,
    )
    feedback = _ok(
        client.post(
            "/api/v1/me/feedback",
            json={"kind": "other", "body": text, "program_id": program},
            headers=worker,
        ),
        201,
    )
    enrollments = _ok(client.get("/api/v1/enrollments", headers=admin))["items"]
    export = _ok(
        client.post(
            "/api/v1/privacy/exports", json={"email": f"carla-{n}@example.com"}, headers=admin
        ),
        202,
    )
    hold = _ok(
        client.post(
            "/api/v1/privacy/holds",
            json={"ticket_id": ticket["id"], "reason": text},
            headers=admin,
        ),
        201,
    )
    widget = chat_service.save_widget(
        session,
        uuid.UUID(market.brand_id),
        chat_service.WidgetSettings(
            program_id=uuid.UUID(program),
            is_enabled=True,
            allowed_origins=["https://shop.example.com"],
            asks_name=True,
            asks_topic=False,
            offline_message=text,
        ),
    )
    session.commit()
    widget_key = widget.public_key
    chat = _ok(
        client.post(
            "/api/v1/chat/sessions",
            json={"key": widget_key, "name": text, "email": f"vera-{n}@example.com", "body": text},
        ),
        201,
    )
    # Published last: the offers above were made before it binds brand A's experts.
    agreement = _ok(
        client.post(
            "/api/v1/compliance/agreements", json={"title": text, "body": text}, headers=admin
        ),
        201,
    )
    world = BrandWorld(
        market=market,
        agent=agent,
        ticket_id=ticket["id"],
        link_token=view["link"].rsplit("/c/", 1)[1],
        chat=chat,
        widget_key=widget_key,
    )
    world.ids = {
        "brand_id": market.brand_id,
        "program_id": program,
        "ticket_id": ticket["id"],
        "offer_id": str(offer),
        "expert_id": market.expert_ids[1],
        "enrollment_id": next(
            e["id"] for e in enrollments if e["expert_id"] == market.expert_ids[1]
        ),
        "answer_id": answer["id"],
        "course_id": course["id"],
        "rule_id": rule["id"],
        "key_id": spare["id"],
        "endpoint_id": hook["id"],
        "announcement_id": announcement["id"],
        "feedback_id": feedback["id"],
        "session_id": chat["session_id"],
        "user_id": str(agent_user.id),
        "token": world.link_token,
        "attachment_id": str(attachment),
        "request_id": export["id"],
        "hold_id": hold["id"],
        "agreement_id": agreement["id"],
    }
    return world
