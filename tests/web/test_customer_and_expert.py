import re

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.brands.models import Brand, Program
from gigcx.quality.models import Rating
from gigcx.tickets.models import Ticket
from tests.api.helpers import Marketplace, build_marketplace
from tests.factories.tickets import run_jobs
from tests.web.helpers import csrf_of, web_sign_in


def contact_path(session: Session, market: Marketplace) -> str:
    program = session.scalars(select(Program).where(Program.slug.like("care-%"))).all()[-1]
    brand = session.get_one(Brand, program.brand_id)
    return f"/support/{brand.slug}/{program.slug}"


def write_in(client: TestClient, path: str, **overrides: str) -> httpx.Response:
    data = {
        "name": "Carla Mendes",
        "email": "carla@example.com",
        "language": "en",
        "category": "billing",
        "body": "My card was charged twice.",
        "csrf_token": csrf_of(client),
    }
    data.update(overrides)
    response: httpx.Response = client.post(path, data=data, follow_redirects=False)
    return response


def test_a_customer_writes_in_and_follows_the_private_link(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    path = contact_path(session, market)
    assert client.get(path).status_code == 200

    response = write_in(client, path)

    assert response.status_code == 303
    link = response.headers["location"]
    assert re.fullmatch(r"/c/[0-9a-f-]{36}\.[0-9a-f]{32}", link)
    page = client.get(link)
    assert page.status_code == 200
    assert "My card was charged twice." in page.text
    assert client.get(link[:-4] + "0000").status_code == 404


def test_bad_contact_input_is_shown_next_to_the_field(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)

    response = write_in(client, contact_path(session, market), email="not-an-email", category="")

    assert response.status_code == 400
    assert 'id="e-email"' in response.text
    assert "Choose the topic closest to your question." in response.text
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_the_expert_accepts_replies_and_resolves_then_the_customer_rates(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    link = write_in(client, contact_path(session, market)).headers["location"]
    customer_cookies = dict(client.cookies)
    client.cookies.clear()
    web_sign_in(client, market.expert_emails[0])

    dashboard = client.get("/expert")
    offer_id = re.search(r"/expert/offers/([0-9a-f-]+)/accept", dashboard.text)
    assert dashboard.status_code == 200 and offer_id is not None
    accepted = client.post(
        f"/expert/offers/{offer_id.group(1)}/accept",
        data={"csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    ticket_path = accepted.headers["location"]
    assert client.get(ticket_path).status_code == 200
    assert "carla@example.com" not in client.get(ticket_path).text
    empty = client.post(f"{ticket_path}/reply", data={"body": " ", "csrf_token": csrf_of(client)})
    assert empty.status_code == 400
    for action, data in (("reply", {"body": "Refund on its way."}), ("resolve", {})):
        done = client.post(
            f"{ticket_path}/{action}",
            data={**data, "csrf_token": csrf_of(client)},
            follow_redirects=False,
        )
        assert done.status_code == 303
    run_jobs(factory)

    client.cookies.clear()
    client.cookies.update(customer_cookies)
    page = client.get(link)
    assert "Refund on its way." in page.text and "How did we do?" in page.text
    bad = client.post(
        f"{link}/rating", data={"score": "9", "reason": "helpful", "csrf_token": csrf_of(client)}
    )
    assert bad.status_code == 400
    rated = client.post(
        f"{link}/rating",
        data={"score": "5", "reason": "helpful", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert rated.status_code == 303
    assert [r.score for r in session.scalars(select(Rating))] == [5]


def test_an_expert_cannot_open_another_experts_ticket(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=2, offers_at_once=1)
    write_in(client, contact_path(session, market))
    ticket = session.scalars(select(Ticket)).one()
    offers = client.get(f"/api/v1/tickets/{ticket.id}/offers", headers=market.brand_admin).json()
    offered_to = market.expert_ids.index(offers[0]["expert_id"])
    outsider = market.expert_emails[1 - offered_to]
    client.cookies.clear()
    web_sign_in(client, outsider)

    page = client.get(f"/expert/tickets/{ticket.id}")

    assert page.status_code == 404
    assert "ticket not found" in page.text


def test_the_offer_stream_sends_the_feed(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)
    write_in(client, contact_path(session, market))
    client.cookies.clear()
    web_sign_in(client, market.expert_emails[0])

    with client.stream("GET", "/expert/offers/stream") as stream:
        lines = []
        for line in stream.iter_lines():
            lines.append(line)
            if line == "":
                break

    assert lines[0] == "event: html"
    assert any("/accept" in line for line in lines)
