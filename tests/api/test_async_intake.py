"""Intake that leaves routing to the job runner: Prefer: respond-async, GIGCX_INTAKE_ROUTING."""

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.config import get_settings
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.tickets.models import Inquiry, Ticket
from tests.api.helpers import build_marketplace, ticket_body
from tests.factories.tickets import run_jobs
from tests.web.test_customer_and_expert import contact_path, write_in

ASYNC = {"Prefer": "respond-async"}


def queued_routing(session: Session) -> list[str]:
    rows = session.scalars(
        select(Job).where(Job.name == "routing.route", Job.status == JobStatus.QUEUED)
    ).all()
    return [job.payload["ticket_id"] for job in rows]


def queued_take_ins(session: Session) -> list[str]:
    rows = session.scalars(
        select(Job).where(Job.name == "intake.take_in", Job.status == JobStatus.QUEUED)
    ).all()
    return [job.payload["inquiry_id"] for job in rows]


@pytest.fixture
def runner_routing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("GIGCX_INTAKE_ROUTING", "runner")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_respond_async_answers_202_received_and_the_runner_makes_and_offers_the_ticket(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]

    created = client.post(
        "/api/v1/tickets", json=ticket_body(market), headers={**market.api_key, **ASYNC}
    )

    assert created.status_code == 202, created.text
    ticket_id = created.json()["id"]
    assert created.json()["status"] == "received"
    assert created.json()["ticket_id"] is None
    assert created.headers["location"] == f"/api/v1/tickets/{ticket_id}"
    assert created.headers["preference-applied"] == "respond-async"
    assert queued_take_ins(session) == [ticket_id]
    assert session.scalars(select(Ticket)).all() == []
    waiting = client.get(created.headers["location"], headers=market.api_key)
    assert (waiting.status_code, waiting.json()["status"]) == (202, "received")
    assert waiting.headers["retry-after"] == "1"
    assert client.get("/api/v1/offers", headers=expert).json() == []

    run_jobs(factory)

    followed = client.get(created.headers["location"], headers=market.api_key)
    assert followed.json()["status"] == "offered"
    offers = client.get("/api/v1/offers", headers=expert).json()
    assert [o["ticket_id"] for o in offers] == [ticket_id]
    trail = client.get(f"/api/v1/tickets/{ticket_id}/audit", headers=market.brand_admin).json()
    changes = [(e["action"], e["data"].get("to")) for e in trail if e["action"] != "ticket.triaged"]
    assert changes == [
        ("ticket.created", None),
        ("ticket.status_changed", "queued"),
        ("ticket.status_changed", "offered"),
    ]


def test_a_replayed_async_intake_answers_200_with_the_state_it_is_in_now(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    headers = {**market.api_key, **ASYNC, "Idempotency-Key": "order-1234"}
    first = client.post("/api/v1/tickets", json=ticket_body(market), headers=headers)
    run_jobs(factory)

    again = client.post("/api/v1/tickets", json=ticket_body(market), headers=headers)

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["status"] == "offered"
    assert "location" not in again.headers
    assert len(session.scalars(select(Ticket)).all()) == 1
    assert queued_routing(session) == []


def test_other_preferences_route_in_the_request(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)

    created = client.post(
        "/api/v1/tickets",
        json=ticket_body(market),
        headers={**market.api_key, "Prefer": "return=minimal, wait=5"},
    )

    assert created.status_code == 201, created.text
    assert created.json()["status"] == "offered"
    assert "preference-applied" not in created.headers
    assert queued_routing(session) == []


def test_a_bad_async_intake_is_refused_and_queues_nothing(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)

    refused = client.post(
        "/api/v1/tickets",
        json=ticket_body(market, category="no-such-topic"),
        headers={**market.api_key, **ASYNC},
    )

    assert refused.status_code == 400, refused.text
    assert "no category 'no-such-topic'" in refused.json()["detail"]
    assert queued_take_ins(session) == []
    assert session.scalars(select(Inquiry)).all() == []
    assert session.scalars(select(Ticket)).all() == []


def test_the_server_setting_sends_every_api_intake_to_the_runner(
    client: TestClient, session: Session, factory: sessionmaker[Session], runner_routing: None
) -> None:
    market = build_marketplace(client, session, experts=1)

    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)

    assert created.status_code == 202, created.text
    assert created.json()["status"] == "received"
    assert "preference-applied" not in created.headers
    assert queued_take_ins(session) == [created.json()["id"]]
    run_jobs(factory)
    assert session.get_one(Ticket, uuid.UUID(created.json()["id"])).status == "offered"


def test_the_contact_form_shows_the_ticket_new_until_the_runner_routes_it(
    client: TestClient, session: Session, factory: sessionmaker[Session], runner_routing: None
) -> None:
    market = build_marketplace(client, session, experts=1)

    response = write_in(client, contact_path(session, market))

    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "We have your message and are reading it" in page.text
    (ticket_id,) = queued_routing(session)
    run_jobs(factory)
    assert session.get_one(Ticket, uuid.UUID(ticket_id)).status == "offered"
