from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from gigcx.kit import clock
from gigcx.payments import service as payments_service
from tests.api.helpers import Marketplace, build_marketplace, ticket_body
from tests.factories.tickets import run_jobs


def work_ticket(client: TestClient, market: Marketplace, *, escalate: bool = False) -> str:
    expert = market.experts[0]
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    ticket_id: str = created.json()["id"]
    offer = client.get("/api/v1/offers", headers=expert).json()[0]
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=expert)
    if escalate:
        response = client.post(
            f"/api/v1/tickets/{ticket_id}/escalate",
            json={"reason": "needs a refund over my limit"},
            headers=expert,
        )
    else:
        response = client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert)
    assert response.status_code == 200, response.text
    return ticket_id


def test_a_week_is_paid_out_and_its_statement_downloads(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    method = {"kind": "paypal", "paypal_email": "ana@example.com"}
    client.put("/api/v1/experts/me/payout-method", json=method, headers=market.experts[0])
    with clock.shifted(-timedelta(days=8)):
        work_ticket(client, market)
        run_jobs(factory)
        week = payments_service.week_of(clock.now()).label
        early = client.post("/api/v1/payouts/runs", json={"week": week}, headers=market.admin)
    refused = client.post("/api/v1/payouts/runs", json={"week": week}, headers=market.experts[0])
    malformed = client.post("/api/v1/payouts/runs", json={"week": "2026-48"}, headers=market.admin)
    run = client.post("/api/v1/payouts/runs", json={"week": week}, headers=market.admin)
    rerun = client.post("/api/v1/payouts/runs", json={"week": week}, headers=market.admin)

    assert (early.status_code, refused.status_code, malformed.status_code) == (409, 403, 422)
    assert "has not ended" in early.json()["detail"]
    assert run.status_code == 201, run.text
    assert run.json() == {
        "week": week,
        "payouts": 1,
        "lines": 1,
        "totals": {"EUR": "3.50"},
        "carried": 0,
        "held": 0,
        "bonuses": 0,
    }
    assert rerun.json()["payouts"] == 0
    listed = client.get("/api/v1/payouts", headers=market.brand_admin).json()
    assert [(p["week"], p["total"], p["line_count"]) for p in listed["items"]] == [
        (week, "3.50", 1)
    ]
    payout_id = listed["items"][0]["id"]
    csv = client.get(f"/api/v1/payouts/{payout_id}/statement.csv", headers=market.experts[0])
    pdf = client.get(f"/api/v1/payouts/{payout_id}/statement.pdf", headers=market.experts[0])
    assert csv.status_code == 200
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.text.splitlines()[-1] == ",total,,1 lines,,3.50,EUR"
    assert pdf.content.startswith(b"%PDF-")


def test_brand_marks_an_escalation_legitimate_once_over_http(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1, escalation_share="0.5")
    ticket_id = work_ticket(client, market, escalate=True)
    path = f"/api/v1/tickets/{ticket_id}/escalation/legitimate"

    by_expert = client.post(path, headers=market.experts[0])
    marked = client.post(path, headers=market.brand_admin)
    twice = client.post(path, headers=market.brand_admin)
    run_jobs(factory)

    assert (by_expert.status_code, marked.status_code, twice.status_code) == (403, 202, 409)
    earnings = client.get("/api/v1/earnings", headers=market.experts[0]).json()["items"]
    assert [(e["kind"], e["amount"]) for e in earnings] == [("escalation", "1.75")]


def test_bonus_rules_are_published_by_the_brand_and_read_by_experts(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1, hourly_floor="15.00")
    path = f"/api/v1/programs/{market.program_id}/bonus-rules"

    bad = client.post(path, json={"name": "x", "amount": "-1"}, headers=market.brand_admin)
    by_expert = client.post(path, json={"name": "x", "amount": "5"}, headers=market.experts[0])
    created = client.post(
        path,
        json={"name": "Top week", "min_tasks": 10, "min_csat": "4.6", "amount": "25.00"},
        headers=market.brand_admin,
    )
    seen = client.get(path, headers=market.experts[0])
    hourly = client.get(f"/api/v1/programs/{market.program_id}/hourly", headers=market.brand_admin)

    assert (bad.status_code, by_expert.status_code, created.status_code) == (422, 403, 201)
    assert [(r["name"], r["min_csat"], r["amount"]) for r in seen.json()] == [
        ("Top week", "4.60", "25.00")
    ]
    assert hourly.json()["floor"] == "15.00"
    assert (hourly.json()["median"], hourly.json()["experts"]) == (None, [])
    surges = client.get("/api/v1/surges", headers=market.experts[0])
    assert surges.json() == []
