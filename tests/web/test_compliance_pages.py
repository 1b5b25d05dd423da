"""Compliance pages: the expert reads, accepts and sees why offers stop; brands and the platform
publish agreements and set rules."""

import uuid

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from tests.api.helpers import PASSWORD, Marketplace, build_marketplace, ticket_body
from tests.web.helpers import post_form, web_sign_in


def offers_after_new_ticket(client: TestClient, market: Marketplace) -> int:
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    assert created.status_code == 201, created.text
    offers = client.get("/api/v1/offers", headers=market.experts[0]).json()
    return len([o for o in offers if o["ticket_id"] == created.json()["id"]])


def test_the_brand_publishes_and_the_expert_accepts_then_offers_flow(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    web_sign_in(client, market.brand_admin_email)
    published = post_form(
        client,
        "/brand/compliance/agreements",
        {"title": "Contractor agreement", "body": "Be kind."},
    )
    assert published.status_code == 303
    console = client.get("/brand/compliance")
    assert "Contractor agreement" in console.text
    assert "0 experts" in console.text
    client.cookies.clear()

    web_sign_in(client, market.expert_emails[0])
    dashboard = client.get("/expert")
    assert "Why you get no offers" in dashboard.text
    assert "Accept the contractor agreement of" in dashboard.text
    assert offers_after_new_ticket(client, market) == 0
    page = client.get("/expert/compliance")
    assert "Be kind." in page.text
    agreement_id = client.get("/api/v1/experts/me/agreements", headers=market.experts[0]).json()[0][
        "id"
    ]

    unnamed = post_form(
        client, f"/expert/compliance/agreements/{agreement_id}/accept", {"full_name": " "}
    )
    accepted = post_form(
        client, f"/expert/compliance/agreements/{agreement_id}/accept", {"full_name": "Ana Expert"}
    )

    assert unnamed.status_code == 400
    assert "Type your full name" in unnamed.text
    assert accepted.status_code == 303
    assert "Why you get no offers" not in client.get("/expert").text
    assert offers_after_new_ticket(client, market) == 1
    client.cookies.clear()
    web_sign_in(client, market.brand_admin_email)
    who = client.get(f"/brand/compliance/agreements/{agreement_id}")
    assert who.status_code == 200
    assert "Ana Expert" in who.text


def test_a_brand_sets_rules_and_the_expert_attests_on_the_page(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    web_sign_in(client, market.brand_admin_email)
    refused = post_form(client, "/brand/compliance/rules", {"denied_countries": "Portugal"})
    saved = post_form(
        client,
        "/brand/compliance/rules",
        {"denied_countries": "fr", "requires_work_authorisation": "on", "max_hours_per_week": "30"},
    )
    assert refused.status_code == 400
    assert "two-letter codes" in refused.text
    assert saved.status_code == 303
    rules = client.get("/api/v1/compliance/rules", headers=market.brand_admin).json()
    assert (rules["denied_countries"], rules["max_hours_per_week"]) == (["FR"], 30)
    client.cookies.clear()

    web_sign_in(client, market.expert_emails[0])
    assert "Confirm that you are authorised to work in PT" in client.get("/expert").text
    page = client.get("/expert/compliance")
    assert "I am authorised to work in PT" in page.text
    assert "30" in page.text

    attested = post_form(client, f"/expert/compliance/authorisations/{market.brand_id}")

    assert attested.status_code == 303
    assert "You confirmed on" in client.get("/expert/compliance").text
    assert offers_after_new_ticket(client, market) == 1


def test_a_platform_admin_publishes_the_platform_terms(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    auth_service.create_user(
        session, email="terms@example.com", password=PASSWORD, role=Role.PLATFORM_ADMIN
    )
    session.commit()
    web_sign_in(client, "terms@example.com")

    empty = post_form(client, "/admin/terms", {"title": "", "body": ""})
    published = post_form(client, "/admin/terms", {"title": "Platform terms", "body": "Terms."})

    assert empty.status_code == 400
    assert published.status_code == 303
    assert "Platform terms" in client.get("/admin/terms").text
    client.cookies.clear()
    web_sign_in(client, market.expert_emails[0])
    assert "Accept the platform terms (version" in client.get("/expert/compliance").text


def test_an_in_house_agent_sees_the_rules_but_cannot_change_them(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    auth_service.create_user(
        session,
        email="agent-c@example.com",
        password=PASSWORD,
        role=Role.INHOUSE_AGENT,
        brand_id=uuid.UUID(market.brand_id),
    )
    session.commit()
    web_sign_in(client, "agent-c@example.com")

    page = client.get("/brand/compliance")
    refused = post_form(client, "/brand/compliance/rules", {"denied_countries": "fr"})

    assert page.status_code == 200
    assert "Countries denied: none" in page.text
    assert refused.status_code == 403
