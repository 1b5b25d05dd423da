"""The AI over the JSON API and in the web pages of experts, brand staff and customers."""

import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.assist import service as assist_service
from gigcx.assist.models import Answer, SuggestionUse
from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Brand, Program
from gigcx.tickets.enums import AuthorKind, TicketStatus
from gigcx.tickets.models import Message, Ticket
from tests.api.helpers import Marketplace, build_marketplace, ticket_body
from tests.factories.tickets import run_jobs
from tests.web.helpers import csrf_of, post_form, web_sign_in

BILLING = (
    "I was charged twice for my order",
    "Please refund the double payment on my card",
    "My invoice shows the wrong amount",
    "Why was I billed again this month?",
)
LEGAL = (
    "I want to speak to your lawyer about the contract",
    "This is a formal complaint under consumer law",
    "Send me your terms and conditions in writing for my solicitor",
    "I am taking legal action over this",
)


def accepted_ticket(client: TestClient, market: Marketplace, factory: sessionmaker[Session]) -> str:
    created = client.post(
        "/api/v1/tickets",
        json=ticket_body(market, body="I was charged twice. Call me on +49 30 1234567."),
        headers=market.api_key,
    )
    ticket_id: str = created.json()["id"]
    offer = client.get("/api/v1/offers", headers=market.experts[0]).json()[0]
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=market.experts[0])
    run_jobs(factory)
    return ticket_id


def test_triage_masking_suggestions_checks_and_best_answers_over_the_api(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert, admin = market.experts[0], market.brand_admin
    ticket_id = accepted_ticket(client, market, factory)
    answer = client.post(
        "/api/v1/answers",
        json={
            "program_id": market.program_id,
            "intent": "billing",
            "title": "Double charges",
            "body": "A double charge is a pending authorisation; it drops off within 3 days.",
        },
        headers=admin,
    )
    assert answer.status_code == 201, answer.text

    triage = client.get(f"/api/v1/tickets/{ticket_id}/triage", headers=admin).json()
    seen = client.get(f"/api/v1/tickets/{ticket_id}", headers=expert).json()
    suggestions = client.get(f"/api/v1/tickets/{ticket_id}/suggestions", headers=expert).json()
    used = client.post(
        f"/api/v1/tickets/{ticket_id}/suggestions/used",
        json={"answer_id": answer.json()["id"], "rank": 1},
        headers=expert,
    )
    checks = client.post(
        f"/api/v1/tickets/{ticket_id}/reply-checks",
        json={"body": "Write to refunds@example.com with your card 4111 1111 1111 1111."},
        headers=expert,
    ).json()

    assert (triage["language"], triage["intent_source"]) == ("en", "rules")
    assert [p["kind"] for p in triage["pii"]] == ["phone"]
    assert seen["messages"][0]["body"] == "I was charged twice. Call me on [phone]."
    assert [(s["title"], s["source"]) for s in suggestions] == [
        ("Double charges", "approved answer: Double charges")
    ]
    assert used.status_code == 204
    assert [(c["check"], c["is_blocking"]) for c in checks] == [
        ("pii_leak", False),
        ("pii_leak", False),
    ]

    sent = client.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        json={"body": "A double charge is a pending authorisation; it drops off within 3 days!"},
        headers=expert,
    )
    client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert)
    proposed = client.post(f"/api/v1/tickets/{ticket_id}/best-answer", json={}, headers=expert)
    undecided = client.post(
        f"/api/v1/answers/{proposed.json()['id']}/review",
        json={"decision": "approved", "title": "Charged twice"},
        headers=admin,
    )
    reviewed = client.post(
        f"/api/v1/answers/{proposed.json()['id']}/review",
        json={"decision": "approved", "title": "Charged twice", "bot_use": "suggestion"},
        headers=admin,
    )
    again = client.post(
        f"/api/v1/answers/{proposed.json()['id']}/review",
        json={"decision": "rejected"},
        headers=admin,
    )

    assert sent.status_code == 201
    use = session.scalars(select(SuggestionUse)).one()
    assert (use.is_sent, use.edit_ratio) == (True, 0.0141)
    assert proposed.status_code == 201
    assert (proposed.json()["status"], proposed.json()["intent"]) == ("proposed", "billing")
    assert undecided.status_code == 409
    assert undecided.json()["detail"] == (
        f"the bot already answers billing in en with answer {answer.json()['id']} "
        "('Double charges'); send bot_use 'replace' to make this one the bot's answer, or "
        "'suggestion' to add it for experts only"
    )
    assert (reviewed.json()["status"], reviewed.json()["title"]) == ("approved", "Charged twice")
    assert (reviewed.json()["language"], reviewed.json()["is_bot_answer"]) == ("en", False)
    assert answer.json()["is_bot_answer"] is True
    assert again.status_code == 409


def test_a_blocking_check_stops_the_reply_and_writes_nothing(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    ticket_id = accepted_ticket(client, market, factory)
    settings = client.patch(
        f"/api/v1/programs/{market.program_id}/ai-settings",
        json={"forbidden_phrases": ["calm down"], "blocking_checks": ["forbidden_phrase"]},
        headers=market.brand_admin,
    )

    blocked = client.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        json={"body": "Please calm down."},
        headers=market.experts[0],
    )

    assert settings.json()["blocking_checks"] == ["forbidden_phrase"]
    assert blocked.status_code == 409
    assert blocked.json() == {
        "detail": "the reply was not sent: the brand does not allow the phrase 'calm down'"
    }
    replies = session.scalars(select(Message).where(Message.author_kind == AuthorKind.EXPERT))
    assert replies.all() == []


def test_another_brand_cannot_read_or_review_answers(client: TestClient, session: Session) -> None:
    ours = build_marketplace(client, session, experts=0)
    theirs = build_marketplace(client, session, experts=0)
    answer = client.post(
        "/api/v1/answers",
        json={"program_id": ours.program_id, "title": "Hours", "body": "We open at 9."},
        headers=ours.brand_admin,
    ).json()

    listed = client.get("/api/v1/answers", headers=theirs.brand_admin)
    review = client.post(
        f"/api/v1/answers/{answer['id']}/review",
        json={"decision": "rejected"},
        headers=theirs.brand_admin,
    )

    assert listed.json() == []
    assert review.status_code == 404


def train_billing_model(session: Session, market: Marketplace) -> None:
    texts = [*BILLING, *LEGAL]
    labels = ["billing"] * len(BILLING) + ["legal"] * len(LEGAL)
    assist_service.train_model(
        session,
        SYSTEM,
        uuid.UUID(market.program_id),
        assist_service.Examples(texts, labels, source="test"),
        use_embeddings=False,
    )
    session.commit()


def test_the_bot_answers_on_the_contact_page_and_an_expert_takes_over_when_it_did_not_help(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    client.post(
        "/api/v1/answers",
        json={
            "program_id": market.program_id,
            "intent": "billing",
            "title": "Double charges",
            "body": "A double charge is a pending authorisation; it drops off within 3 days.",
        },
        headers=market.brand_admin,
    )
    client.patch(
        f"/api/v1/programs/{market.program_id}/ai-settings",
        json={"bot_threshold": 0.5},
        headers=market.brand_admin,
    )
    train_billing_model(session, market)
    program = session.get_one(Program, uuid.UUID(market.program_id))
    brand = session.get_one(Brand, program.brand_id)
    contact = f"/support/{brand.slug}/{program.slug}"
    written = client.post(
        contact,
        data={
            "name": "Carla Mendes",
            "email": "carla@example.com",
            "language": "en",
            "category": "legal",
            "body": "I was charged twice for my order, please refund the double payment.",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    link = written.headers["location"]
    run_jobs(factory)

    page = client.get(link)
    assert "pending authorisation" in page.text and "Did this answer help?" in page.text
    ticket = session.scalars(select(Ticket)).one()
    assert (ticket.status, ticket.category) == (TicketStatus.RESOLVED, "billing")

    didnt_help = post_form(client, f"{link}/bot-answer", {"helped": "no"})
    run_jobs(factory)

    assert didnt_help.status_code == 303
    session.refresh(ticket)
    assert ticket.status == TicketStatus.OFFERED
    client.cookies.clear()
    web_sign_in(client, market.expert_emails[0])
    workspace = client.get(f"/expert/tickets/{ticket.id}")
    assert "Automatic answer (bot)" in workspace.text
    assert "the customer said it did not help" in workspace.text


def test_the_workspace_suggests_inserts_and_warns_before_sending(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    ticket_id = accepted_ticket(client, market, factory)
    answer = client.post(
        "/api/v1/answers",
        json={
            "program_id": market.program_id,
            "intent": "billing",
            "title": "Double charges",
            "body": "A double charge drops off within 3 days.",
        },
        headers=market.brand_admin,
    ).json()
    client.patch(
        f"/api/v1/programs/{market.program_id}/ai-settings",
        json={"forbidden_phrases": ["calm down"]},
        headers=market.brand_admin,
    )
    client.cookies.clear()
    web_sign_in(client, market.expert_emails[0])
    path = f"/expert/tickets/{ticket_id}"

    page = client.get(path)
    inserted = post_form(client, f"{path}/suggestions/{answer['id']}", {"rank": "1"})
    draft = client.get(inserted.headers["location"])
    warned = post_form(client, f"{path}/reply", {"body": "Calm down, it drops off."})
    sent = post_form(client, f"{path}/reply", {"body": "Calm down.", "send_anyway": "true"})

    assert "Suggested answers" in page.text and "[phone]" in page.text
    assert "+49 30 1234567" not in page.text
    assert inserted.status_code == 303
    assert re.search(r"<textarea[^>]*>\s*A double charge drops off within 3 days.", draft.text)
    assert warned.status_code == 400
    assert "the brand does not allow the phrase" in warned.text and "Send anyway" in warned.text
    assert sent.status_code == 303

    post_form(client, f"{path}/resolve")
    resolved = client.get(path)
    proposed = post_form(client, f"{path}/best-answer")
    after = client.get(proposed.headers["location"])
    twice = post_form(client, f"{path}/best-answer")
    assert "Save as best answer" in resolved.text
    assert proposed.status_code == 303
    assert "Sent for review: the brand's team approves or rejects it" in after.text
    assert "Save as best answer</button>" not in after.text
    assert twice.status_code == 409
    assert (
        "This reply was already proposed as a best answer: it is waiting for review." in twice.text
    )
    assert len(session.scalars(select(Answer).where(Answer.status == "proposed")).all()) == 1
    client.cookies.clear()
    web_sign_in(client, market.brand_admin_email)
    brand_view = client.get(f"/brand/tickets/{ticket_id}")
    assert "What the AI read" in brand_view.text
    assert "no intent model: routed by your rules" in brand_view.text
    review_page = client.get("/brand/answers")
    assert "Waiting for review (1)" in review_page.text
    assert "The bot's answer today</strong> for Billing in EN: Double charges" in review_page.text
    assert "<blockquote>A double charge drops off within 3 days.</blockquote>" in review_page.text
    proposal = session.scalars(select(Answer).where(Answer.status == "proposed")).one()
    form = {"decision": "approved", "title": "Charged twice", "body": "Edited: it drops off."}
    undecided = post_form(client, f"/brand/answers/{proposal.id}/review", form)
    session.refresh(proposal)
    assert undecided.status_code == 409
    assert "The bot already answers billing in en with answer" in undecided.text
    assert (proposal.status, proposal.title) == (
        "proposed",
        "I was charged twice. Call me on [phone].",
    )
    approved = post_form(
        client, f"/brand/answers/{proposal.id}/review", {**form, "bot_use": "replace"}
    )
    assert approved.status_code == 303
    session.refresh(proposal)
    assert (proposal.status, proposal.body) == ("approved", "Edited: it drops off.")
    previous = session.get_one(Answer, uuid.UUID(answer["id"]))
    session.refresh(previous)
    assert (proposal.is_bot_answer, previous.is_bot_answer) == (True, False)


def test_brand_admins_set_the_programs_ai_rules_in_the_console(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    web_sign_in(client, market.brand_admin_email)
    path = f"/brand/programs/{market.program_id}/ai"

    page = client.get(path)
    bad = post_form(client, path, {"bot_threshold": "2"})
    saved = post_form(
        client,
        path,
        {
            "is_bot_enabled": "true",
            "bot_threshold": "0.85",
            "topic_override_confidence": "0.95",
            "royalty_amount": "0.30",
            "forbidden_phrases": "calm down\nnot our problem",
            "blocking_checks": "pii_leak",
            "granted_pii": "email",
        },
    )

    assert page.status_code == 200 and "No intent model yet" in page.text
    assert bad.status_code == 400 and "between 0 and 1" in bad.text
    assert saved.status_code == 303
    settings = assist_service.settings_for(session, uuid.UUID(market.program_id))
    assert (settings.bot_threshold, str(settings.royalty_amount)) == (0.85, "0.30")
    assert settings.topic_override_confidence == 0.95
    assert "No sentiment model for DE: triage shows the sentiment" in page.text
    assert "the pre-send tone check does not run on replies in those languages" in page.text
    assert settings.forbidden_phrases == ["calm down", "not our problem"]
    assert (settings.blocking_checks, settings.granted_pii) == (["pii_leak"], ["email"])


def test_with_an_intent_model_the_customer_may_leave_the_topic_out(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    train_billing_model(session, market)
    program = session.get_one(Program, uuid.UUID(market.program_id))
    brand = session.get_one(Brand, program.brand_id)
    contact = f"/support/{brand.slug}/{program.slug}"

    page = client.get(contact)
    written = client.post(
        contact,
        data={
            "email": "carla@example.com",
            "language": "en",
            "category": "",
            "body": "Why was I billed twice on my card this month?",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )

    assert "Topic (optional)" in page.text
    assert written.status_code == 303, written.text
    ticket = session.scalars(select(Ticket)).one()
    assert ticket.category == "billing"


def test_over_the_api_a_program_with_a_model_picks_the_category_itself(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    without_model = ticket_body(market, body="Please refund the double payment on my card")
    del without_model["category"]
    refused = client.post("/api/v1/tickets", json=without_model, headers=market.api_key)
    train_billing_model(session, market)
    headers = {**market.api_key, "Idempotency-Key": "no-category-1"}

    created = client.post("/api/v1/tickets", json=without_model, headers=headers)
    replayed = client.post("/api/v1/tickets", json=without_model, headers=headers)

    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("send a category: program")
    assert "its categories are: billing" in refused.json()["detail"]
    assert created.status_code == 201, created.text
    assert created.json()["category"] == "billing"
    assert (replayed.status_code, replayed.json()["id"]) == (200, created.json()["id"])
