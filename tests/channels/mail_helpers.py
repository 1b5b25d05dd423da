"""Build mail tickets through the API and read what the test SMTP server received."""

import uuid
from email.message import EmailMessage

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gigcx.channels.email.models import Mailbox
from tests.api.helpers import Headers, Marketplace, build_marketplace, ticket_body

CUSTOMER = "carla@example.com"


def mail_market(client: TestClient, session: Session, **program: object) -> Marketplace:
    """A program that takes mail, with one expert who works two mail tickets at once."""
    market = build_marketplace(client, session, experts=1, channels=["chat", "email"], **program)
    changed = client.patch(
        "/api/v1/experts/me", json={"capacity": {"email": 2}}, headers=market.experts[0]
    )
    assert changed.status_code == 200, changed.text
    return market


def add_mailbox(session: Session, market: Marketplace, **overrides: object) -> Mailbox:
    fields: dict[str, object] = {
        "brand_id": uuid.UUID(market.brand_id),
        "program_id": uuid.UUID(market.program_id),
        "address": f"help-{uuid.uuid4().hex[:8]}@brand.example",
        "display_name": "Alpenglow Support",
    }
    fields.update(overrides)
    mailbox = Mailbox(**fields)
    session.add(mailbox)
    session.commit()
    return mailbox


def take_in(client: TestClient, market: Marketplace, **body: object) -> str:
    """A mail ticket taken in with the brand's API key; its id."""
    fields: dict[str, object] = {"channel": "email", "subject": "Charged twice"}
    fields.update(body)
    created = client.post(
        "/api/v1/tickets", json=ticket_body(market, **fields), headers=market.api_key
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def accept(client: TestClient, expert: Headers) -> None:
    offers = client.get("/api/v1/offers", headers=expert).json()
    accepted = client.post(f"/api/v1/offers/{offers[0]['id']}/accept", headers=expert)
    assert accepted.status_code == 200, accepted.text


def answer(client: TestClient, ticket_id: str, expert: Headers, body: str, internal: bool) -> None:
    sent = client.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        json={"body": body, "is_internal": internal},
        headers=expert,
    )
    assert sent.status_code == 201, sent.text


def ids(header: object) -> list[str]:
    """The Message-IDs of a header, however the sender folded it."""
    return str(header or "").split()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")
