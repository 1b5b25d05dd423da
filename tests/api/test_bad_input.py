import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.brands.models import Program
from gigcx.tickets.models import Ticket
from tests.api.helpers import build_marketplace, new_key, program_body, ticket_body


def ticket_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Ticket)) or 0


def test_requests_without_credentials_are_told_how_to_sign_in(client: TestClient) -> None:
    response = client.get("/api/v1/tickets")

    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


def test_a_wrong_password_is_refused(client: TestClient, session: Session) -> None:
    build_marketplace(client, session, experts=0)

    response = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "whatever"}
    )

    assert response.status_code == 401
    assert response.json() == {"detail": "email or password is wrong"}


def test_intake_refuses_what_the_program_cannot_take(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session)
    cases = {
        "unknown program": (ticket_body(market, program_id=str(uuid.uuid4())), 404, "program"),
        "language": (ticket_body(market, language="fr"), 400, "does not serve language 'fr'"),
        "category": (ticket_body(market, category="returns"), 400, "has no category 'returns'"),
        "channel": (ticket_body(market, channel="email"), 400, "does not take the email channel"),
    }

    for name, (body, status, words) in cases.items():
        response = client.post("/api/v1/tickets", json=body, headers=market.api_key)
        assert (name, response.status_code) == (name, status)
        assert words in response.json()["detail"]

    malformed = client.post(
        "/api/v1/tickets", json={"program_id": market.program_id}, headers=market.api_key
    )
    assert malformed.status_code == 422
    assert ticket_count(session) == 0


def test_idempotency_key_replays_or_refuses(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session)
    key = {**market.api_key, "Idempotency-Key": new_key()}

    first = client.post("/api/v1/tickets", json=ticket_body(market), headers=key)
    again = client.post("/api/v1/tickets", json=ticket_body(market), headers=key)
    other = client.post(
        "/api/v1/tickets", json=ticket_body(market, body="Other issue"), headers=key
    )

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json()["id"] == first.json()["id"]
    assert "different request body" in other.json()["detail"]
    assert ticket_count(session) == 1


def test_program_rules_are_validated_and_nothing_half_written(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    negative = program_body(
        rates=[{"category_key": "billing", "complexity": "low", "amount": "-1.00"}]
    )
    missing_rates = program_body(rates=[])
    unknown_category = program_body(
        rates=[*program_body()["rates"], {"category_key": "x", "complexity": "low", "amount": "1"}]
    )

    assert (
        client.post("/api/v1/programs", json=negative, headers=market.brand_admin).status_code
        == 422
    )
    missing = client.post("/api/v1/programs", json=missing_rates, headers=market.brand_admin)
    unknown = client.post("/api/v1/programs", json=unknown_category, headers=market.brand_admin)
    assert (missing.status_code, unknown.status_code) == (400, 400)
    assert "has no rate for complexity low, medium, high" in missing.json()["detail"]
    assert "rate for unknown category 'x'" in unknown.json()["detail"]
    change = client.patch(
        f"/api/v1/programs/{market.program_id}",
        json={"languages": ["en"], "rates": []},
        headers=market.brand_admin,
    )
    assert change.status_code == 400
    program = session.get_one(Program, uuid.UUID(market.program_id))
    session.refresh(program)
    assert (program.languages, len(program.rates)) == (["en", "de"], 3)
    assert session.scalar(select(func.count()).select_from(Program)) == 1


def test_accepting_an_offer_twice_and_another_experts_offer(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=2, offers_at_once=1)
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    offer = client.get(f"/api/v1/tickets/{created.json()['id']}/offers", headers=market.brand_admin)
    offer_id = offer.json()[0]["id"]
    owner_index = market.expert_ids.index(offer.json()[0]["expert_id"])
    owner, other = market.experts[owner_index], market.experts[1 - owner_index]

    stolen = client.post(f"/api/v1/offers/{offer_id}/accept", headers=other)
    accepted = client.post(f"/api/v1/offers/{offer_id}/accept", headers=owner)
    twice = client.post(f"/api/v1/offers/{offer_id}/accept", headers=owner)
    foreign_resolve = client.post(f"/api/v1/tickets/{created.json()['id']}/resolve", headers=other)

    # Accepting again what one accepted is a retry: it answers with the same offer and ticket.
    assert (stolen.status_code, accepted.status_code, twice.status_code) == (404, 200, 200)
    assert twice.json() == accepted.json()
    assert foreign_resolve.status_code == 404
    still = client.get(f"/api/v1/tickets/{created.json()['id']}", headers=market.brand_admin)
    assert still.json()["status"] == "assigned"


def test_brands_never_see_each_others_data(client: TestClient, session: Session) -> None:
    first = build_marketplace(client, session)
    second = build_marketplace(client, session)
    ticket = client.post("/api/v1/tickets", json=ticket_body(first), headers=first.api_key).json()

    seen_by_other = client.get(f"/api/v1/tickets/{ticket['id']}", headers=second.brand_admin)
    program_by_other = client.get(f"/api/v1/programs/{first.program_id}", headers=second.api_key)
    intake_by_other = client.post(
        "/api/v1/tickets", json=ticket_body(first), headers=second.api_key
    )
    listing = client.get("/api/v1/tickets", headers=second.brand_admin).json()

    assert (seen_by_other.status_code, program_by_other.status_code) == (404, 404)
    assert intake_by_other.status_code == 404
    assert listing["total"] == 0


def test_experts_only_see_tickets_offered_to_them(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=2, offers_at_once=1)
    ticket = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key).json()
    offer = client.get(f"/api/v1/tickets/{ticket['id']}/offers", headers=market.brand_admin).json()
    other = market.experts[1 - market.expert_ids.index(offer[0]["expert_id"])]

    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/tickets", headers=other).json()["total"] == 0
    assert client.get(f"/api/v1/tickets/{ticket['id']}/audit", headers=other).status_code == 403


def test_a_revoked_api_key_stops_working(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session)
    keys = client.get("/api/v1/api-keys", headers=market.brand_admin).json()

    revoked = client.delete(f"/api/v1/api-keys/{keys[0]['id']}", headers=market.brand_admin)
    response = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)

    assert revoked.status_code == 204
    assert response.status_code == 401
    assert ticket_count(session) == 0


def test_lists_are_paginated(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)
    for n in range(5):
        body = ticket_body(market, category="legal", body=f"Question {n}")
        assert client.post("/api/v1/tickets", json=body, headers=market.api_key).status_code == 201

    page = client.get(
        "/api/v1/tickets?limit=2&offset=2&status=escalated", headers=market.brand_admin
    ).json()
    bad = client.get("/api/v1/tickets?limit=1000", headers=market.brand_admin)

    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (5, 2, 2, 2)
    assert bad.status_code == 422
