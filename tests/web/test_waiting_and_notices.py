"""The brand sees why a ticket waits; an expert set away after lapsed offers is told why."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from gigcx.kit import clock
from tests.api.helpers import build_marketplace, ticket_body
from tests.factories.tickets import run_jobs
from tests.web.helpers import web_sign_in


def test_the_ticket_page_and_the_api_say_why_a_ticket_waits(
    client: TestClient, session: Session
) -> None:
    # Given one expert with two chat seats, both taken by offers, and a third ticket
    market = build_marketplace(client, session, experts=1, offers_at_once=1)
    for _ in range(2):
        sent = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
        assert sent.json()["status"] == "offered"
    waiting = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    ticket_id = waiting.json()["id"]
    assert waiting.json()["status"] == "queued"

    # When brand staff open it
    answer = client.get(f"/api/v1/tickets/{ticket_id}/waiting", headers=market.brand_admin)
    expert_asks = client.get(f"/api/v1/tickets/{ticket_id}/waiting", headers=market.experts[0])
    web_sign_in(client, market.brand_admin_email)
    page = client.get(f"/brand/tickets/{ticket_id}")

    # Then both say every eligible expert is at capacity, and what happens next
    assert answer.status_code == 200
    body = answer.json()
    assert (body["is_waiting"], body["reason"], body["sentence"]) == (
        True,
        "at_capacity",
        "Every eligible expert online is at capacity.",
    )
    assert body["details"] == [
        "1 expert online could take it; they hold 2 of their 2 chat seats "
        "(tickets and pending offers)."
    ]
    assert body["effective_priority"] == 3.0
    assert expert_asks.status_code == 403
    assert page.status_code == 200
    assert "Why it waits" in page.text
    assert "Every eligible expert online is at capacity." in page.text
    assert "if no expert takes it" in page.text


def test_an_expert_set_away_after_lapsed_offers_sees_why_on_the_dashboard(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    # Given an expert who lets three offers in a row lapse
    market = build_marketplace(client, session, experts=1, offers_at_once=1, offer_ttl_seconds=60)
    for _ in range(3):
        sent = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
        assert sent.json()["status"] == "offered"
        with clock.shifted(timedelta(seconds=61)):
            run_jobs(factory)

    # When she opens her dashboard
    web_sign_in(client, market.expert_emails[0])
    page = client.get("/expert")
    presence = client.get("/api/v1/experts/me", headers=market.experts[0])

    # Then she is away and told why and how to come back
    assert presence.json()["presence"] == "away"
    assert page.status_code == 200
    assert "We set you away after you let 3 offers in a row lapse" in page.text
    assert "Set yourself available when you can take offers again." in page.text
