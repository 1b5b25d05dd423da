from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.jobs.models import Job
from tests.api.helpers import build_marketplace, ticket_body
from tests.factories.tickets import run_jobs

COURSE = {
    "title": "Onboarding",
    "pass_mark": 100,
    "modules": [{"title": "Voice", "body": "Warm and exact."}],
    "questions": [
        {"prompt": "Refunds?", "kind": "single", "options": ["14d", "30d"], "correct": [1]},
        {
            "prompt": "Never share",
            "kind": "multiple",
            "options": ["a", "b", "c"],
            "correct": [0, 2],
        },
    ],
}
SCORECARD = {
    "name": "QA",
    "criteria": [
        {"key": "accuracy", "label": "Right answer", "weight": 3},
        {"key": "tone", "label": "Warm tone", "weight": 1},
    ],
}


def test_training_and_quality_over_http(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]
    created = client.post(
        f"/api/v1/programs/{market.program_id}/courses", json=COURSE, headers=market.brand_admin
    )
    assert created.status_code == 201, created.text
    course_id = created.json()["id"]
    assert (
        client.post(f"/api/v1/courses/{course_id}/publish", headers=market.brand_admin).json()[
            "status"
        ]
        == "published"
    )

    seen = client.get(f"/api/v1/courses/{course_id}", headers=expert).json()
    assert "correct" not in seen["questions"][0]
    first, second = (q["id"] for q in seen["questions"])
    refused = client.post(
        f"/api/v1/courses/{course_id}/attempts", json={"answers": {first: [1]}}, headers=expert
    )
    passed = client.post(
        f"/api/v1/courses/{course_id}/attempts",
        json={"answers": {first: [1], second: [2, 0]}},
        headers=expert,
    )
    assert refused.status_code == 400
    assert refused.json()["detail"] == "answer every question; missing: 2"
    assert passed.status_code == 201, passed.text
    assert (passed.json()["percent"], passed.json()["is_passed"]) == (100, True)
    certifications = client.get("/api/v1/certifications", headers=expert).json()
    assert [c["id"] for c in certifications] == [passed.json()["certification_id"]]

    put = client.put(
        f"/api/v1/programs/{market.program_id}/scorecard", json=SCORECARD, headers=market.api_key
    )
    assert put.status_code == 200, put.text
    ticket = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    assert ticket.json()["status"] == "offered"
    ticket_id = ticket.json()["id"]
    (offer,) = client.get("/api/v1/offers", headers=expert).json()
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=expert)
    client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert)
    client.post(
        f"/api/v1/tickets/{ticket_id}/rating",
        json={"score": 1, "reason": "rude"},
        headers=market.api_key,
    )

    (task,) = client.get("/api/v1/reviews/queue", headers=market.brand_admin).json()
    done = client.post(
        f"/api/v1/reviews/{task['id']}/complete",
        json={"answers": {"accuracy": True, "tone": False}},
        headers=market.brand_admin,
    )
    assert done.status_code == 200, done.text
    assert done.json()["score"] == "75.00"
    (mine,) = client.get("/api/v1/experts/me/quality", headers=expert).json()
    # (5 x 75 + 0 + 2 x 75) / (5 + 1 + 2) = 65.63
    assert mine["score"] == "65.63"
    assert [(x["kind"], x["points"]) for x in mine["inputs"]] == [("csat", "0"), ("qa", "75.00")]
    assert (mine["prior"], mine["prior_weight"], mine["window_days"]) == ("75", 5, 90)

    appeal = client.post(
        "/api/v1/disputes",
        json={"subject_type": "review", "subject_id": task["id"], "reason": "The tone was fine."},
        headers=expert,
    )
    assert appeal.status_code == 201, appeal.text
    decided = client.post(
        f"/api/v1/disputes/{appeal.json()['id']}/decision",
        json={"overturn": False, "reason": "The reply was curt."},
        headers=market.brand_admin,
    )
    assert decided.json()["status"] == "upheld"
    reasons = {r["reason"]: r for r in client.get("/api/v1/rating-reasons").json()}
    assert (reasons["rude"]["area"], reasons["rude"]["is_controllable"]) == ("tone", True)
    assert (reasons["shipping"]["area"], reasons["shipping"]["is_controllable"]) == (
        "shipping",
        False,
    )
    tiers = client.get("/api/v1/tiers").json()
    assert [t["tier"] for t in tiers] == ["new", "established", "senior"]
    fees = session.scalars(select(Job).where(Job.name == "payments.earn_fee")).all()
    assert [job.payload["kind"] for job in fees] == ["onboarding"]


def test_a_refused_review_keeps_nothing_not_even_the_claim(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    client.put(
        f"/api/v1/programs/{market.program_id}/scorecard",
        json={**SCORECARD, "sample_percent_new": 100},
        headers=market.api_key,
    )
    expert = market.experts[0]
    ticket = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    (offer,) = client.get("/api/v1/offers", headers=expert).json()
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=expert)
    client.post(f"/api/v1/tickets/{ticket.json()['id']}/resolve", headers=expert)
    run_jobs(factory)
    (task,) = client.get("/api/v1/reviews/queue", headers=market.brand_admin).json()

    refused = client.post(
        f"/api/v1/reviews/{task['id']}/complete",
        json={"answers": {"accuracy": True, "speed": True}},
        headers=market.brand_admin,
    )
    by_key = client.post(f"/api/v1/reviews/{task['id']}/claim", headers=market.api_key)

    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        "answer every criterion; missing: tone; not on this scorecard: speed"
    )
    assert by_key.status_code == 403
    (still_open,) = client.get("/api/v1/reviews/queue", headers=market.brand_admin).json()
    assert (still_open["reviewer_user_id"], still_open["status"], still_open["reason"]) == (
        None,
        "open",
        "sampled",
    )
