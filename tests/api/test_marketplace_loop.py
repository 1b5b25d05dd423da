from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import build_marketplace, ticket_body
from tests.factories.tickets import run_jobs


def test_the_whole_loop_over_http(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]

    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    assert created.json()["status"] == "offered"

    offers = client.get("/api/v1/offers", headers=expert).json()
    assert [o["ticket_id"] for o in offers] == [ticket_id]
    assert set(offers[0]["breakdown"]["terms"]) == {"skill", "language", "quality", "idle", "load"}
    view = client.get(f"/api/v1/tickets/{ticket_id}", headers=expert).json()
    assert view["customer"] == {"id": view["customer"]["id"], "name": "Carla", "email": None}

    assert (
        client.post(f"/api/v1/offers/{offers[0]['id']}/accept", headers=expert).status_code == 200
    )
    reply = client.post(
        f"/api/v1/tickets/{ticket_id}/messages", json={"body": "Refunded."}, headers=expert
    )
    assert reply.status_code == 201
    resolved = client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert)
    assert resolved.json()["status"] == "resolved"
    run_jobs(factory)
    rating = client.post(
        f"/api/v1/tickets/{ticket_id}/rating",
        json={"score": 5, "reason": "helpful", "comment": "Quick!"},
        headers=market.api_key,
    )
    assert rating.status_code == 201, rating.text

    balance = client.get("/api/v1/experts/me/balance", headers=expert).json()
    assert balance == [{"currency": "EUR", "amount": "3.50", "entries": 1}]
    assert Decimal(balance[0]["amount"]) == Decimal("3.50")
    explained = client.get(f"/api/v1/tickets/{ticket_id}/offers", headers=market.brand_admin)
    assert [o["status"] for o in explained.json()] == ["accepted"]
    trail = client.get(f"/api/v1/tickets/{ticket_id}/audit", headers=market.brand_admin).json()
    assert [e["action"] for e in trail] == [
        "ticket.created",
        "ticket.status_changed",
        "ticket.status_changed",
        "ticket.status_changed",
        "ticket.status_changed",
        "ticket.triaged",
        "ticket.rated",
    ]
