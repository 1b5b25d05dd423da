"""The API hands out the customer's private link and shows what the customer sees."""

import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand
from gigcx.config import get_settings
from gigcx.quality.enums import RatingReason
from gigcx.quality.models import Rating
from tests.api.helpers import Marketplace, build_marketplace, new_key, ticket_body

NOTE = "Chargeback risk: keep it short."
REPLY = "Refunded today, Carla."


@pytest.fixture
def configured_base_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("GIGCX_BASE_URL", "https://help.example.com/")
    get_settings.cache_clear()
    yield "https://help.example.com"
    monkeypatch.delenv("GIGCX_BASE_URL")
    get_settings.cache_clear()


def take_in(
    client: TestClient, market: Marketplace, key: str | None = None, **body: object
) -> httpx.Response:
    headers = {**market.api_key, **({"Idempotency-Key": key} if key else {})}
    response: httpx.Response = client.post(
        "/api/v1/tickets", json=ticket_body(market, **body), headers=headers
    )
    return response


def test_intake_answers_with_the_customers_private_link(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    key = new_key()

    created = take_in(client, market, key)
    replayed = take_in(client, market, key)

    assert created.status_code == 201, created.text
    link = created.json()["customer_link"]
    assert link.startswith("http://testserver/c/")
    assert replayed.status_code == 200
    assert replayed.json()["customer_link"] == link
    page = client.get(link.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert "I was charged twice for order 1234." in page.text


def test_the_private_link_is_on_the_configured_base_url(
    client: TestClient, session: Session, configured_base_url: str
) -> None:
    market = build_marketplace(client, session, experts=1)

    created = take_in(client, market)

    link = created.json()["customer_link"]
    assert link.startswith(f"{configured_base_url}/c/")
    ticket_id = created.json()["id"]
    assert link.removeprefix(f"{configured_base_url}/c/").split(".")[0] == ticket_id


def test_the_customer_view_shows_staff_what_the_customer_sees(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1, languages=["en", "de"])
    expert = market.experts[0]
    created = take_in(client, market, language="de")
    ticket_id = created.json()["id"]
    offers = client.get("/api/v1/offers", headers=expert).json()
    client.post(f"/api/v1/offers/{offers[0]['id']}/accept", headers=expert)
    for body, is_internal in ((REPLY, False), (NOTE, True)):
        sent = client.post(
            f"/api/v1/tickets/{ticket_id}/messages",
            json={"body": body, "is_internal": is_internal},
            headers=expert,
        )
        assert sent.status_code == 201, sent.text

    seen = client.get(f"/api/v1/tickets/{ticket_id}/customer-view", headers=market.brand_admin)
    expert_asks = client.get(f"/api/v1/tickets/{ticket_id}/customer-view", headers=expert)

    assert seen.status_code == 200, seen.text
    view = seen.json()
    assert view["link"] == created.json()["customer_link"]
    assert (view["language"], view["status"]) == ("de", "assigned")
    assert view["status_text"] == "Eine Expertin oder ein Experte schreibt Ihnen"
    assert [m["body"] for m in view["messages"]] == ["I was charged twice for order 1234.", REPLY]
    brand = session.get_one(Brand, uuid.UUID(market.brand_id)).name
    assert [m["author"] for m in view["messages"]] == ["Sie", f"{brand} Kundenservice"]
    assert NOTE not in seen.text
    assert view["rating"] == {"can_rate": False, "score": None, "reason": None}
    assert expert_asks.status_code == 403


def test_the_api_takes_a_rating_without_a_reason(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]
    ticket_id = take_in(client, market).json()["id"]
    offers = client.get("/api/v1/offers", headers=expert).json()
    client.post(f"/api/v1/offers/{offers[0]['id']}/accept", headers=expert)
    client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert)

    unknown = client.post(
        f"/api/v1/tickets/{ticket_id}/rating",
        json={"score": 4, "reason": "great"},
        headers=market.api_key,
    )
    rated = client.post(
        f"/api/v1/tickets/{ticket_id}/rating", json={"score": 4}, headers=market.api_key
    )

    assert unknown.status_code == 422
    assert rated.status_code == 201, rated.text
    assert rated.json()["reason"] == "not_given"
    stored = session.scalars(select(Rating)).one()
    assert (stored.score, stored.reason) == (4, RatingReason.NOT_GIVEN)
    view = client.get(f"/api/v1/tickets/{ticket_id}/customer-view", headers=market.api_key)
    assert view.json()["rating"] == {"can_rate": False, "score": 4, "reason": None}
