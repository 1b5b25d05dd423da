"""Restricting an expert over the API: a signed-in admin with a reason; the expert's review."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.helpers import build_marketplace
from tests.api.test_enrollments_and_programs import enrollment_of


def test_a_removal_needs_a_person_and_a_reason_and_the_expert_can_contest_it(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]
    enrollment = enrollment_of(client, expert)
    path = f"/api/v1/enrollments/{enrollment}"

    by_key = client.patch(
        path, json={"status": "removed", "reason": "spam"}, headers=market.api_key
    )
    no_reason = client.patch(path, json={"status": "removed"}, headers=market.brand_admin)
    still = client.get("/api/v1/enrollments", headers=expert).json()["items"][0]["status"]
    removed = client.patch(
        path,
        json={"status": "removed", "reason": "Sent a customer a personal phone number"},
        headers=market.brand_admin,
    )
    seen = client.get("/api/v1/enrollment-decisions", headers=expert)
    decision = seen.json()[0]
    asked = client.post(
        "/api/v1/human-reviews",
        json={
            "enrollment_id": enrollment,
            "subject": "decision",
            "decision_id": decision["id"],
            "request": "It was the shop's public number, from its website.",
        },
        headers=expert,
    )
    queue = client.get("/api/v1/human-reviews?status=open", headers=market.brand_admin)
    by_key_decision = client.post(
        f"/api/v1/human-reviews/{asked.json()['id']}/decision",
        json={"outcome": "overturned", "reason": "keys are not people"},
        headers=market.api_key,
    )
    decided = client.post(
        f"/api/v1/human-reviews/{asked.json()['id']}/decision",
        json={"outcome": "overturned", "reason": "Checked: the number is public"},
        headers=market.brand_admin,
    )
    mine = client.get("/api/v1/human-reviews", headers=expert)
    after = client.get("/api/v1/enrollments", headers=expert)

    assert by_key.status_code == 403
    assert "a named person must decide it" in by_key.json()["detail"]
    assert no_reason.status_code == 400
    assert no_reason.json()["detail"].startswith(
        "write the reason for setting this enrollment to removed in 'reason'"
    )
    assert still == "active"
    assert removed.status_code == 200
    assert (decision["to_status"], decision["reason"]) == (
        "removed",
        "Sent a customer a personal phone number",
    )
    assert asked.status_code == 201, asked.text
    assert [c["id"] for c in queue.json()] == [asked.json()["id"]]
    assert by_key_decision.status_code == 403
    assert decided.status_code == 200, decided.text
    assert [(c["outcome"], c["outcome_reason"]) for c in mine.json()] == [
        ("overturned", "Checked: the number is public")
    ]
    assert after.json()["items"][0]["status"] == "active"


def test_an_expert_cannot_decide_a_review(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]
    enrollment = enrollment_of(client, expert)
    asked = client.post(
        "/api/v1/human-reviews",
        json={"enrollment_id": enrollment, "subject": "routing", "request": "No offers all day."},
        headers=expert,
    )

    decided = client.post(
        f"/api/v1/human-reviews/{asked.json()['id']}/decision",
        json={"outcome": "overturned", "reason": "I decide myself"},
        headers=expert,
    )

    assert asked.status_code == 201
    assert asked.json()["due_at"] > asked.json()["created_at"]
    assert decided.status_code == 403
