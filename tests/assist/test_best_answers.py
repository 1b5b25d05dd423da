"""Best answers: scrubbed before review, proposed once, never silently replacing the bot's."""

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.assist.models import Answer
from gigcx.audit.models import AuditEvent
from tests.api.helpers import Marketplace, build_marketplace, ticket_body
from tests.factories.tickets import run_jobs
from tests.web.helpers import post_form, web_sign_in

REPLY = (
    "Hi Carla, the second charge on order #48213 is a pending authorisation: it drops off "
    "within 3 days. Write to carla@example.com if it does not. Best, Sam"
)
SCRUBBED = (
    "Hi {{customer_name}}, the second charge on order [order number] is a pending "
    "authorisation: it drops off within 3 days. Write to [email] if it does not. Best, [name]"
)


def resolved_with_reply(
    client: TestClient, market: Marketplace, factory: sessionmaker[Session], reply: str = REPLY
) -> str:
    expert = market.experts[0]
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    ticket_id: str = created.json()["id"]
    offer = client.get("/api/v1/offers", headers=expert).json()[0]
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=expert)
    run_jobs(factory)
    sent = client.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        json={"body": reply},
        headers=expert,
    )
    assert sent.status_code == 201, sent.text
    client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert)
    return ticket_id


def test_a_proposal_is_scrubbed_and_the_reviewer_sees_what_was_removed(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    ticket_id = resolved_with_reply(client, market, factory)

    proposed = client.post(
        f"/api/v1/tickets/{ticket_id}/best-answer", json={}, headers=market.experts[0]
    )

    assert proposed.status_code == 201, proposed.text
    body = proposed.json()
    assert (body["body"], body["language"], body["is_bot_answer"]) == (SCRUBBED, "en", False)
    assert body["title"] == "I was charged twice for order [order number]."
    # The expert sees what kinds went; the brand's reviewers also see the masked originals.
    assert body["removals"] == [
        {"kind": "order number", "placeholder": "[order number]"},
        {"kind": "customer_name", "placeholder": "{{customer_name}}"},
        {"kind": "order number", "placeholder": "[order number]"},
        {"kind": "email", "placeholder": "[email]"},
        {"kind": "name", "placeholder": "[name]"},
    ]
    reviewed = client.get("/api/v1/answers", headers=market.brand_admin).json()
    assert reviewed[0]["removals"] == [
        {"kind": "order number", "placeholder": "[order number]", "shown": "1234"},
        {"kind": "customer_name", "placeholder": "{{customer_name}}", "shown": "Carla"},
        {"kind": "order number", "placeholder": "[order number]", "shown": "#48213"},
        {"kind": "email", "placeholder": "[email]", "shown": "c…@example.com"},
        {"kind": "name", "placeholder": "[name]", "shown": "Sam"},
    ]
    stored = session.get_one(Answer, uuid.UUID(body["id"]))
    assert "Carla" not in stored.body and "48213" not in stored.body
    client.cookies.clear()
    web_sign_in(client, market.brand_admin_email)
    page = client.get("/brand/answers")
    assert "Personal data taken out before review" in page.text
    assert "customer name “Carla” → <code>{{customer_name}}</code>" in page.text
    assert "order number “#48213” → <code>[order number]</code>" in page.text


def test_the_same_reply_is_proposed_once_and_a_second_try_says_why_not(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]
    first_ticket = resolved_with_reply(client, market, factory)
    second_ticket = resolved_with_reply(client, market, factory)

    first = client.post(f"/api/v1/tickets/{first_ticket}/best-answer", json={}, headers=expert)
    again = client.post(f"/api/v1/tickets/{first_ticket}/best-answer", json={}, headers=expert)
    same_text = client.post(f"/api/v1/tickets/{second_ticket}/best-answer", json={}, headers=expert)

    assert first.status_code == 201
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "this reply was already proposed as a best answer: it is waiting for review"},
    )
    assert same_text.status_code == 409
    assert len(session.scalars(select(Answer)).all()) == 1


def test_approving_where_the_bot_has_an_answer_needs_the_reviewer_to_choose(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    admin = market.brand_admin
    current = client.post(
        "/api/v1/answers",
        json={
            "program_id": market.program_id,
            "intent": "billing",
            "title": "Double charges",
            "body": "A double charge is a pending authorisation; it drops off within 3 days.",
        },
        headers=admin,
    ).json()
    ticket_id = resolved_with_reply(client, market, factory)
    proposal = client.post(
        f"/api/v1/tickets/{ticket_id}/best-answer", json={}, headers=market.experts[0]
    ).json()
    review = f"/api/v1/answers/{proposal['id']}/review"

    undecided = client.post(review, json={"decision": "approved"}, headers=admin)
    unchanged = session.get_one(Answer, uuid.UUID(proposal["id"]))
    session.refresh(unchanged)
    replaced = client.post(
        review, json={"decision": "approved", "bot_use": "replace"}, headers=admin
    )
    answers = {a["id"]: a for a in client.get("/api/v1/answers", headers=admin).json()}

    assert undecided.status_code == 409
    assert undecided.json()["detail"].startswith(
        f"the bot already answers billing in en with answer {current['id']} ('Double charges')"
    )
    assert (unchanged.status, unchanged.is_bot_answer) == ("proposed", False)
    assert replaced.status_code == 200, replaced.text
    assert (answers[proposal["id"]]["is_bot_answer"], answers[current["id"]]["is_bot_answer"]) == (
        True,
        False,
    )
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assist.bot_answer_replaced")
    ).all()
    assert [(e.subject_id, e.data["replaced"]) for e in events] == [
        (uuid.UUID(proposal["id"]), current["id"])
    ]


def test_an_answer_added_as_a_suggestion_leaves_the_bot_its_answer(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    admin = market.brand_admin
    body = {"program_id": market.program_id, "intent": "billing", "language": "en"}
    first = client.post(
        "/api/v1/answers",
        json={**body, "title": "Double charges", "body": "It drops off within 3 days."},
        headers=admin,
    )
    second = client.post(
        "/api/v1/answers",
        json={**body, "title": "Refunds", "body": "Refunds take five business days."},
        headers=admin,
    )
    suggestion = client.post(
        "/api/v1/answers",
        json={
            **body,
            "title": "Refunds",
            "body": "Refunds take five business days.",
            "bot_use": "suggestion",
        },
        headers=admin,
    )
    german = client.post(
        "/api/v1/answers",
        json={
            **body,
            "language": "de",
            "title": "Doppelte Abbuchung",
            "body": "Die doppelte Abbuchung ist nur vorgemerkt und verschwindet in drei Tagen.",
        },
        headers=admin,
    )

    assert (first.status_code, first.json()["is_bot_answer"]) == (201, True)
    assert second.status_code == 409
    assert (suggestion.status_code, suggestion.json()["is_bot_answer"]) == (201, False)
    assert (german.status_code, german.json()["is_bot_answer"]) == (201, True)
    web_sign_in(client, market.brand_admin_email)
    page = client.get("/brand/answers")
    assert page.text.count("<td>the bot's answer</td>") == 2
    assert "suggestion for experts" in page.text


def test_the_workspace_shows_the_review_outcome_after_saving(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    ticket_id = resolved_with_reply(client, market, factory)
    web_sign_in(client, market.expert_emails[0])
    path = f"/expert/tickets/{ticket_id}"
    post_form(client, f"{path}/best-answer")
    proposal = session.scalars(select(Answer)).one()
    client.post(
        f"/api/v1/answers/{proposal.id}/review",
        json={"decision": "rejected", "note": "Too specific to one order."},
        headers=market.brand_admin,
    )

    page = client.get(path)

    assert "Not approved: Too specific to one order." in page.text
    assert (
        "Before review, personal data was taken out: order number, customer name, email, name."
        in page.text
    )
    assert "Save as best answer</button>" not in page.text
