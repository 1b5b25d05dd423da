"""A retried accept or resolve whose first answer was lost says it already happened."""

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.kit import clock
from gigcx.payments.models import Earning
from tests.api.helpers import Headers, Marketplace, build_marketplace, sign_in, ticket_body
from tests.factories.tickets import run_jobs
from tests.web.helpers import post_form, web_sign_in


def offered_ticket(client: TestClient, market: Marketplace) -> tuple[str, str, int]:
    """A new ticket, its offer and the index of the expert it is offered to."""
    ticket = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    assert ticket.status_code == 201, ticket.text
    offers = client.get(f"/api/v1/tickets/{ticket.json()['id']}/offers", headers=market.brand_admin)
    offer = offers.json()[0]
    return ticket.json()["id"], offer["id"], market.expert_ids.index(offer["expert_id"])


def accepted_ticket(client: TestClient, market: Marketplace) -> tuple[str, Headers, Headers]:
    ticket_id, offer_id, owner = offered_ticket(client, market)
    headers = market.experts[owner]
    accepted = client.post(f"/api/v1/offers/{offer_id}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.text
    return ticket_id, headers, market.experts[1 - owner]


def test_resolving_again_what_one_just_resolved_answers_with_the_resolved_ticket(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=2, offers_at_once=1)
    ticket_id, owner, other = accepted_ticket(client, market)
    path = f"/api/v1/tickets/{ticket_id}/resolve"

    first = client.post(path, headers=owner)
    retry = client.post(path, headers=owner)
    by_another = client.post(path, headers=other)

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json() == first.json()
    assert retry.json()["status"] == "resolved"
    assert by_another.status_code == 404  # never offered to them: not theirs to read
    run_jobs(factory)
    paid = session.scalar(
        select(func.count()).select_from(Earning).where(Earning.ticket_id == uuid.UUID(ticket_id))
    )
    assert paid == 1


def test_a_late_retry_or_one_after_a_reopening_is_refused_as_before(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=2, offers_at_once=1)
    late_id, late_owner, _ = accepted_ticket(client, market)
    assert client.post(f"/api/v1/tickets/{late_id}/resolve", headers=late_owner).status_code == 200
    reopened_id, reopened_owner, _ = accepted_ticket(client, market)
    path = f"/api/v1/tickets/{reopened_id}/resolve"
    assert client.post(path, headers=reopened_owner).status_code == 200

    # Eleven minutes later the first retry is no longer "just": it is refused
    with clock.shifted(timedelta(minutes=11)):
        late = client.post(f"/api/v1/tickets/{late_id}/resolve", headers=late_owner)
    # A follow-up reopens the second ticket: a retry now is about a new round
    follow_up = client.post(
        f"/api/v1/tickets/{reopened_id}/customer-messages",
        json={"body": "It happened again."},
        headers=market.api_key,
    )
    assert follow_up.status_code == 201, follow_up.text
    after_reopening = client.post(path, headers=reopened_owner)

    assert late.status_code == 403
    assert after_reopening.status_code == 403
    ticket = client.get(f"/api/v1/tickets/{reopened_id}", headers=market.brand_admin).json()
    assert ticket["status"] == "queued"


def test_staff_resolving_an_escalated_ticket_twice_is_one_resolution(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1, offers_at_once=1)
    ticket_id, offer_id, _ = offered_ticket(client, market)
    owner = market.experts[0]
    assert client.post(f"/api/v1/offers/{offer_id}/accept", headers=owner).status_code == 200
    escalated = client.post(
        f"/api/v1/tickets/{ticket_id}/escalate", json={"reason": "needs a refund"}, headers=owner
    )
    assert escalated.status_code == 200, escalated.text
    path = f"/api/v1/tickets/{ticket_id}/resolve"

    first = client.post(path, headers=market.brand_admin)
    retry = client.post(path, headers=market.brand_admin)
    by_the_api_key = client.post(path, headers=market.api_key)

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json()["status"] == "resolved"
    assert by_the_api_key.status_code == 409
    assert by_the_api_key.json()["detail"].startswith("the ticket is resolved")


def test_retried_web_accepts_and_resolves_land_where_the_first_would_have(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1, offers_at_once=1)
    ticket_id, offer_id, _ = offered_ticket(client, market)
    web_sign_in(client, market.expert_emails[0])

    accepts = [post_form(client, f"/expert/offers/{offer_id}/accept") for _ in range(2)]
    resolves = [post_form(client, f"/expert/tickets/{ticket_id}/resolve") for _ in range(2)]

    assert [(r.status_code, r.headers["location"]) for r in accepts] == [
        (303, f"/expert/tickets/{ticket_id}")
    ] * 2
    assert [(r.status_code, r.headers["location"]) for r in resolves] == [(303, "/expert")] * 2
    headers = sign_in(client, market.brand_admin_email)
    assert client.get(f"/api/v1/tickets/{ticket_id}", headers=headers).json()["status"] == (
        "resolved"
    )
