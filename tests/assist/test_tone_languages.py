"""Tone checks run where a sentiment model reads the language, and say so where none does."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import build_marketplace, ticket_body
from tests.factories.tickets import run_jobs
from tests.web.helpers import post_form, web_sign_in


def test_a_german_ticket_tells_the_expert_that_the_tone_is_not_checked(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]
    created = client.post(
        "/api/v1/tickets",
        json=ticket_body(
            market,
            language="de",
            body="Mir wurde die Bestellung doppelt berechnet, bitte helfen Sie mir.",
        ),
        headers=market.api_key,
    )
    ticket_id = created.json()["id"]
    offer = client.get("/api/v1/offers", headers=expert).json()[0]
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=expert)
    run_jobs(factory)
    reply = "Die doppelte Abbuchung ist nur vorgemerkt und verschwindet in drei Tagen."

    checks = client.post(
        f"/api/v1/tickets/{ticket_id}/reply-checks", json={"body": reply}, headers=expert
    )
    triage = client.get(f"/api/v1/tickets/{ticket_id}/triage", headers=market.brand_admin)
    web_sign_in(client, market.expert_emails[0])
    page = client.get(f"/expert/tickets/{ticket_id}")
    sent = post_form(client, f"/expert/tickets/{ticket_id}/reply", {"body": reply})

    assert checks.json() == [
        {
            "check": "tone_not_checked",
            "message": "the tone was not checked: there is no sentiment model for de",
            "is_blocking": False,
            "is_notice": True,
        }
    ]
    assert triage.json()["sentiment_label"] == "unknown"
    assert "no sentiment model for de: sentiment and tone are not read" in triage.json()["notes"]
    assert "The tone check does not run for DE: there is no sentiment model for it." in page.text
    # A notice never holds a reply back.
    assert sent.status_code == 303
