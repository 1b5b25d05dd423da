"""Announcements, feedback and offer alerts through the API: who sees what, and bad input."""

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.channels.community.models import Announcement, Feedback
from gigcx.channels.email.models import OutboundEmail
from tests.api.helpers import Headers, Marketplace, build_marketplace, ticket_body
from tests.factories.tickets import run_jobs
from tests.servers.smtp import SmtpServer


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def post_announcement(
    client: TestClient, market: Marketplace, *, is_emailed: bool = False, title: str = "Busy week"
) -> dict[str, object]:
    response = client.post(
        f"/api/v1/programs/{market.program_id}/announcements",
        json={"title": title, "body": "Black Friday starts Thursday.", "is_emailed": is_emailed},
        headers=market.brand_admin,
    )
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


def worked_ticket(client: TestClient, market: Marketplace, expert: Headers) -> str:
    """A ticket the expert accepted and so worked."""
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    assert created.status_code == 201, created.text
    [offer] = client.get("/api/v1/offers", headers=expert).json()
    accepted = client.post(f"/api/v1/offers/{offer['id']}/accept", headers=expert)
    assert accepted.status_code == 200, accepted.text
    return str(created.json()["id"])


def test_an_announcement_reaches_the_programs_experts_unread_first(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    [expert] = market.experts
    older = post_announcement(client, market, title="Older")
    newer = post_announcement(client, market, title="Newer")

    marked = client.post(f"/api/v1/me/announcements/{newer['id']}/read", headers=expert)
    again = client.post(f"/api/v1/me/announcements/{newer['id']}/read", headers=expert)
    mine = client.get("/api/v1/me/announcements", headers=expert).json()

    assert (marked.status_code, again.status_code) == (204, 204)
    assert [(a["title"], a["is_read"]) for a in mine] == [("Older", False), ("Newer", True)]
    assert mine[0]["program_id"] == market.program_id
    listed = client.get(
        f"/api/v1/programs/{market.program_id}/announcements", headers=expert
    ).json()
    assert [a["id"] for a in listed] == [newer["id"], older["id"]]


def test_an_emailed_announcement_is_mailed_to_each_active_expert(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    smtp_server: SmtpServer,
) -> None:
    market = build_marketplace(client, session, experts=2)

    posted = post_announcement(client, market, is_emailed=True)
    session.commit()
    run_jobs(factory)

    assert posted["emailed_count"] == 2
    for email in market.expert_emails:
        [mail] = smtp_server.received.to(email)
        assert mail["Subject"] == "Customer care: Busy week"
        assert mail["Auto-Submitted"] == "auto-generated"
        assert "Black Friday starts Thursday." in mail.get_content()


def test_a_retired_announcement_is_hidden_from_experts_but_not_staff(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    posted = post_announcement(client, market)

    edited = client.patch(
        f"/api/v1/announcements/{posted['id']}",
        json={"title": "Very busy week", "is_retired": True},
        headers=market.brand_admin,
    )

    assert edited.status_code == 200
    assert edited.json()["title"] == "Very busy week"
    assert edited.json()["retired_at"] is not None
    assert client.get("/api/v1/me/announcements", headers=market.experts[0]).json() == []
    staff = client.get(
        f"/api/v1/programs/{market.program_id}/announcements", headers=market.brand_admin
    ).json()
    assert [a["id"] for a in staff] == [posted["id"]]
    read = client.post(f"/api/v1/me/announcements/{posted['id']}/read", headers=market.experts[0])
    assert read.status_code == 404


def test_another_brand_cannot_touch_announcements_or_feedback(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    other = build_marketplace(client, session, experts=1)
    posted = post_announcement(client, market)
    ticket_id = worked_ticket(client, market, market.experts[0])
    feedback = client.post(
        "/api/v1/me/feedback",
        json={"kind": "other", "body": "Please add a refund macro.", "ticket_id": ticket_id},
        headers=market.experts[0],
    ).json()
    before = (count(session, Announcement), count(session, Feedback))

    answers = [
        client.post(
            f"/api/v1/programs/{market.program_id}/announcements",
            json={"title": "Hijack", "body": "x"},
            headers=other.brand_admin,
        ),
        client.get(
            f"/api/v1/programs/{market.program_id}/announcements", headers=other.brand_admin
        ),
        client.patch(
            f"/api/v1/announcements/{posted['id']}",
            json={"is_retired": True},
            headers=other.brand_admin,
        ),
        client.get(f"/api/v1/feedback/{feedback['id']}", headers=other.brand_admin),
        client.post(
            f"/api/v1/feedback/{feedback['id']}/answer",
            json={"reply": "Hi"},
            headers=other.brand_admin,
        ),
        client.post(f"/api/v1/feedback/{feedback['id']}/close", headers=other.brand_admin),
        client.get(f"/api/v1/feedback/{feedback['id']}", headers=other.experts[0]),
        client.post(f"/api/v1/me/announcements/{posted['id']}/read", headers=other.experts[0]),
        client.post(
            "/api/v1/me/feedback",
            json={"kind": "other", "body": "Sneaky.", "ticket_id": ticket_id},
            headers=other.experts[0],
        ),
        client.post(
            "/api/v1/me/feedback",
            json={"kind": "other", "body": "Sneaky.", "program_id": market.program_id},
            headers=other.experts[0],
        ),
    ]

    assert [a.status_code for a in answers] == [404] * len(answers)
    assert client.get("/api/v1/feedback", headers=other.brand_admin).json() == []
    assert client.get("/api/v1/me/feedback", headers=other.experts[0]).json() == []
    assert client.get("/api/v1/me/announcements", headers=other.experts[0]).json() == []
    assert (count(session, Announcement), count(session, Feedback)) == before
    unchanged = client.get(f"/api/v1/feedback/{feedback['id']}", headers=market.brand_admin)
    assert (unchanged.json()["status"], unchanged.json()["reply"]) == ("open", "")


def test_feedback_on_a_worked_ticket_is_answered_and_closed_by_staff(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    [expert] = market.experts
    ticket_id = worked_ticket(client, market, expert)

    sent = client.post(
        "/api/v1/me/feedback",
        json={
            "kind": "customers_keep_asking",
            "body": "Customers keep asking about split payments.",
            "ticket_id": ticket_id,
        },
        headers=expert,
    )
    inbox = client.get("/api/v1/feedback?status=open", headers=market.brand_admin).json()
    answered = client.post(
        f"/api/v1/feedback/{sent.json()['id']}/answer",
        json={"reply": "Good point: a guide is coming next week."},
        headers=market.brand_admin,
    )
    closed = client.post(f"/api/v1/feedback/{sent.json()['id']}/close", headers=market.brand_admin)
    late = client.post(
        f"/api/v1/feedback/{sent.json()['id']}/answer",
        json={"reply": "One more thing."},
        headers=market.brand_admin,
    )
    mine = client.get("/api/v1/me/feedback", headers=expert).json()

    assert sent.status_code == 201, sent.text
    assert (sent.json()["program_id"], sent.json()["ticket_id"]) == (market.program_id, ticket_id)
    assert [f["id"] for f in inbox] == [sent.json()["id"]]
    assert answered.json()["status"] == "answered"
    assert closed.json()["status"] == "closed"
    assert late.status_code == 409
    assert [(f["status"], f["reply"]) for f in mine] == [
        ("closed", "Good point: a guide is coming next week.")
    ]
    assert client.get("/api/v1/feedback?status=open", headers=market.brand_admin).json() == []


def test_feedback_needs_a_ticket_the_expert_worked_and_one_target(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=2)
    first, second = market.experts
    ticket_id = worked_ticket(client, market, first)

    not_worked = client.post(
        "/api/v1/me/feedback",
        json={"kind": "other", "body": "Hm.", "ticket_id": ticket_id},
        headers=second,
    )
    unknown = client.post(
        "/api/v1/me/feedback",
        json={"kind": "other", "body": "Hm.", "ticket_id": str(uuid.uuid4())},
        headers=first,
    )
    neither = client.post(
        "/api/v1/me/feedback", json={"kind": "other", "body": "Hm."}, headers=first
    )
    both = client.post(
        "/api/v1/me/feedback",
        json={
            "kind": "other",
            "body": "Hm.",
            "ticket_id": ticket_id,
            "program_id": market.program_id,
        },
        headers=first,
    )
    staff_sends = client.post(
        "/api/v1/me/feedback",
        json={"kind": "other", "body": "Hm.", "program_id": market.program_id},
        headers=market.brand_admin,
    )

    assert not_worked.status_code == 404
    assert unknown.status_code == 404
    assert (neither.status_code, both.status_code) == (400, 400)
    assert neither.json()["detail"] == (
        "send feedback on a program (program_id) or on a ticket (ticket_id)"
    )
    assert staff_sends.status_code == 403
    assert count(session, Feedback) == 0


def test_an_expert_never_sees_another_experts_feedback(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=2)
    first, second = market.experts
    sent = client.post(
        "/api/v1/me/feedback",
        json={
            "kind": "guideline_unclear",
            "body": "Refund rule 3 is unclear.",
            "program_id": market.program_id,
        },
        headers=first,
    ).json()

    assert client.get(f"/api/v1/feedback/{sent['id']}", headers=second).status_code == 404
    assert client.get("/api/v1/me/feedback", headers=second).json() == []
    assert client.get(f"/api/v1/feedback/{sent['id']}", headers=first).status_code == 200
    assert client.get("/api/v1/feedback", headers=first).status_code == 403


def test_bad_text_is_refused_plainly_and_nothing_is_stored(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    [expert] = market.experts

    nul_title = client.post(
        f"/api/v1/programs/{market.program_id}/announcements",
        json={"title": "Bad\x00", "body": "x"},
        headers=market.brand_admin,
    )
    huge_body = client.post(
        f"/api/v1/programs/{market.program_id}/announcements",
        json={"title": "Long", "body": "x" * 5001},
        headers=market.brand_admin,
    )
    nul_feedback = client.post(
        "/api/v1/me/feedback",
        json={"kind": "other", "body": "a\x00b", "program_id": market.program_id},
        headers=expert,
    )
    huge_feedback = client.post(
        "/api/v1/me/feedback",
        json={"kind": "other", "body": "y" * 100_000, "program_id": market.program_id},
        headers=expert,
    )
    wrong_kind = client.post(
        "/api/v1/me/feedback",
        json={"kind": "rant", "body": "z", "program_id": market.program_id},
        headers=expert,
    )

    assert [r.status_code for r in (nul_title, huge_body, nul_feedback, huge_feedback)] == [422] * 4
    assert wrong_kind.status_code == 422
    blank = client.post(
        f"/api/v1/programs/{market.program_id}/announcements",
        json={"title": " \t ", "body": "x"},
        headers=market.brand_admin,
    )
    assert (blank.status_code, blank.json()["detail"][0]["msg"]) == (
        422,
        "write some words, not only spaces",
    )
    assert huge_body.json()["detail"][0]["loc"] == ["body", "body"]
    assert (count(session, Announcement), count(session, Feedback)) == (0, 0)


def test_experts_cannot_post_announcements_and_staff_have_no_alerts(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)

    by_expert = client.post(
        f"/api/v1/programs/{market.program_id}/announcements",
        json={"title": "Hi", "body": "x"},
        headers=market.experts[0],
    )
    staff_alerts = client.get("/api/v1/me/alerts", headers=market.brand_admin)

    assert (by_expert.status_code, staff_alerts.status_code) == (403, 403)
    assert count(session, Announcement) == 0


def test_alerts_round_trip(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)
    [expert] = market.experts

    before = client.get("/api/v1/me/alerts", headers=expert).json()
    changed = client.patch(
        "/api/v1/me/alerts", json={"is_email_on": True, "digest": "daily"}, headers=expert
    )
    after = client.get("/api/v1/me/alerts", headers=expert).json()

    off = {"is_browser_on": False, "is_sound_on": False, "is_email_on": False, "digest": "off"}
    assert before == off
    assert changed.status_code == 200
    assert after == {**off, "is_email_on": True, "digest": "daily"}
    assert count(session, OutboundEmail) == 0
