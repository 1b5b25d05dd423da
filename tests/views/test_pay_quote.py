"""The pay an offer shows is the pay earned: one quote for the card, workspace and ledger."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.kit import clock
from gigcx.payments.models import Earning, Surge
from tests.api.helpers import build_marketplace, ticket_body
from tests.factories.tickets import run_jobs
from tests.web.helpers import csrf_of, web_sign_in

# Wednesday 12:00 in Europe/Berlin: the day band.
WEDNESDAY_NOON = datetime(2026, 9, 30, 10, tzinfo=UTC)
BASE = [
    {"category_key": "billing", "complexity": c, "amount": a}
    for c, a in (("low", "2.00"), ("medium", "3.50"), ("high", "6.00"))
]
GERMAN = {"category_key": "billing", "complexity": "medium", "language": "de", "amount": "4.25"}
NIGHT = {"category_key": "billing", "complexity": "medium", "time_band": "night", "amount": "5.00"}


def test_an_offer_shown_at_a_price_earns_that_price(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    with clock.travel_to(WEDNESDAY_NOON):
        market = build_marketplace(
            client, session, experts=1, timezone="Europe/Berlin", rates=[*BASE, GERMAN, NIGHT]
        )
        program = client.get(f"/api/v1/programs/{market.program_id}", headers=market.brand_admin)
        # A surge on German tickets that ends before the offer is accepted.
        session.add(
            Surge(
                brand_id=uuid.UUID(market.brand_id),
                program_id=uuid.UUID(market.program_id),
                language="de",
                multiplier=Decimal("1.50"),
                waiting=12,
                capacity=4,
                announced_at=clock.now() - timedelta(minutes=20),
                starts_at=clock.now() - timedelta(minutes=10),
                ends_at=clock.now() + timedelta(seconds=30),
            )
        )
        session.commit()
        created = client.post(
            "/api/v1/tickets",
            json=ticket_body(market, language="de", complexity="medium"),
            headers=market.api_key,
        )
        ticket_id = created.json()["id"]
        offers = client.get("/api/v1/offers", headers=market.experts[0]).json()
        web_sign_in(client, market.expert_emails[0])
        card = client.get("/expert").text

    # The brand edits its rate card while the offer waits: the offer keeps its price.
    with clock.travel_to(WEDNESDAY_NOON + timedelta(seconds=45)):
        edited = client.patch(
            f"/api/v1/programs/{market.program_id}",
            json={"rates": [*BASE, {**GERMAN, "amount": "9.00"}, NIGHT]},
            headers=market.brand_admin,
        )
        accepted = client.post(
            f"/expert/offers/{offers[0]['id']}/accept",
            data={"csrf_token": csrf_of(client)},
            follow_redirects=False,
        )
        workspace = client.get(f"/expert/tickets/{ticket_id}").text
        detail = client.get(f"/api/v1/tickets/{ticket_id}", headers=market.experts[0]).json()
        resolved = client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=market.experts[0])
        run_jobs(factory)

    earning = session.scalars(
        select(Earning).where(Earning.ticket_id == uuid.UUID(ticket_id))
    ).one()
    assert program.json()["timezone"] == "Europe/Berlin"
    assert "Pays 6.38 EUR (surge \N{MULTIPLICATION SIGN}1.50)" in card
    assert (earning.amount, earning.currency) == (Decimal("6.38"), "EUR")
    assert [o["pay"]["amount"] for o in offers] == ["6.38"]  # 4.25 (German line) x 1.50
    assert offers[0]["pay"]["rate"]["language"] == "de"
    assert offers[0]["pay"]["surge_multiplier"] == "1.50"
    assert (edited.status_code, accepted.status_code) == (200, 303)
    assert "pays 6.38 EUR (surge \N{MULTIPLICATION SIGN}1.50)" in workspace
    assert detail["pay"]["amount"] == "6.38"
    assert resolved.status_code == 200
    assert earning.terms["rate"] == {
        "category": "billing",
        "complexity": "medium",
        "language": "de",
        "time_band": None,
        "amount": "4.25",
    }
    assert earning.terms["offer_id"] == offers[0]["id"]
    assert earning.terms["surge"]["multiplier"] == "1.50"


def test_a_follow_up_offer_on_a_ticket_already_paid_says_it_pays_nothing_more(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]
    ticket_id = client.post(
        "/api/v1/tickets", json=ticket_body(market), headers=market.api_key
    ).json()["id"]
    first = client.get("/api/v1/offers", headers=expert).json()[0]
    client.post(f"/api/v1/offers/{first['id']}/accept", headers=expert)
    client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert)
    run_jobs(factory)

    client.post(
        f"/api/v1/tickets/{ticket_id}/customer-messages",
        json={"body": "One more question."},
        headers=market.api_key,
    )
    run_jobs(factory)
    again = client.get("/api/v1/offers", headers=expert).json()

    assert first["pay"]["amount"] == "3.50"
    assert [(o["ticket_id"], o["pay"]["amount"], o["pay"]["is_paid_already"]) for o in again] == [
        (ticket_id, "0.00", True)
    ]
