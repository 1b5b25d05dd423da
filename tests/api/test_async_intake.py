"""Intake that leaves routing to the job runner: Prefer: respond-async, GIGCX_INTAKE_ROUTING."""

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.audit.models import AuditEvent
from gigcx.brands.models import Program
from gigcx.channels import intake
from gigcx.config import get_settings
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.tickets.models import Inquiry, Ticket
from tests.api.helpers import Marketplace, build_marketplace, ticket_body
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


def post_async(client: TestClient, market: Marketplace) -> Response:
    """Send the marketplace's usual ticket with Prefer: respond-async."""
    response: Response = client.post(
        "/api/v1/tickets", json=ticket_body(market), headers={**market.api_key, **ASYNC}
    )
    return response


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

    created = post_async(client, market)

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


def test_a_key_replayed_before_the_runner_answers_202_with_the_same_inquiry(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    headers = {**market.api_key, **ASYNC, "Idempotency-Key": "order-77"}
    first = client.post("/api/v1/tickets", json=ticket_body(market), headers=headers)

    again = client.post("/api/v1/tickets", json=ticket_body(market), headers=headers)
    other = client.post(
        "/api/v1/tickets", json=ticket_body(market, body="Another question."), headers=headers
    )

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["id"] == first.json()["id"]
    assert "preference-applied" not in again.headers
    assert other.status_code == 409, other.text
    assert "different request body" in other.json()["detail"]
    assert queued_take_ins(session) == [first.json()["id"]]
    run_jobs(factory)
    assert [str(t.id) for t in session.scalars(select(Ticket))] == [first.json()["id"]]


def test_the_inquiry_is_sealed_at_rest_and_emptied_once_taken_in(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    created = post_async(client, market)
    inquiry_id = uuid.UUID(created.json()["id"])
    raw = select(Inquiry.__table__.c.payload).where(Inquiry.__table__.c.id == inquiry_id)

    stored = str(session.execute(raw).scalar_one())
    run_jobs(factory)

    assert "charged twice" not in stored
    assert "carla@example.com" not in stored
    assert stored.startswith("v1:")
    assert session.execute(raw).scalar_one() is None
    inquiry = session.get_one(Inquiry, inquiry_id)
    assert (inquiry.status, inquiry.ticket_id) == ("taken_in", inquiry_id)
    ticket = session.get_one(Ticket, inquiry_id)
    assert [m.body for m in ticket.messages] == ["I was charged twice for order 1234."]


def test_an_inquiry_the_program_no_longer_takes_is_rejected_and_says_why(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    headers = {**market.api_key, **ASYNC, "Idempotency-Key": "late-1"}
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=headers)
    assert created.status_code == 202, created.text
    program = session.get_one(Program, uuid.UUID(market.program_id))
    program.languages = ["fr"]
    session.flush()

    run_jobs(factory)

    followed = client.get(created.headers["location"], headers=market.api_key)
    assert followed.status_code == 404
    assert "does not serve language 'en'" in followed.json()["detail"]
    replayed = client.post("/api/v1/tickets", json=ticket_body(market), headers=headers)
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["status"] == "rejected"
    assert "does not serve language 'en'" in replayed.json()["problem"]
    assert session.scalars(select(Ticket)).all() == []
    assert session.get_one(Inquiry, uuid.UUID(created.json()["id"])).payload is None
    rejected = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "inquiry.rejected")
    ).one()
    assert rejected.subject_id == uuid.UUID(created.json()["id"])
    assert "does not serve language 'en'" in rejected.data["problem"]


def test_taking_an_inquiry_in_twice_makes_one_ticket(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    created = post_async(client, market)
    payload = {"inquiry_id": created.json()["id"]}

    intake.take_in_inquiry(session, payload)
    intake.take_in_inquiry(session, payload)
    session.flush()

    assert [str(t.id) for t in session.scalars(select(Ticket))] == [created.json()["id"]]
    assert session.get_one(Ticket, uuid.UUID(created.json()["id"])).status == "offered"


def test_a_key_first_used_in_the_request_finds_its_ticket_when_sent_async(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    key = {"Idempotency-Key": "both-ways"}
    inline = client.post(
        "/api/v1/tickets", json=ticket_body(market), headers={**market.api_key, **key}
    )

    later = client.post(
        "/api/v1/tickets", json=ticket_body(market), headers={**market.api_key, **ASYNC, **key}
    )
    run_jobs(factory)

    assert (inline.status_code, later.status_code) == (201, 202)
    followed = client.get(later.headers["location"], headers=market.api_key)
    assert (followed.status_code, followed.json()["id"]) == (200, inline.json()["id"])
    assert len(session.scalars(select(Ticket)).all()) == 1


def test_another_brand_cannot_follow_an_inquiry(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    other = build_marketplace(client, session, experts=0)
    created = post_async(client, market)

    foreign = client.get(created.headers["location"], headers=other.api_key)
    expert = client.get(created.headers["location"], headers=market.experts[0])

    assert (foreign.status_code, expert.status_code) == (404, 404)
    assert foreign.json()["detail"] == "ticket not found"
    assert "charged" not in foreign.text + expert.text


def test_an_async_intake_for_another_brands_program_is_refused(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    other = build_marketplace(client, session, experts=0)
    # Warm this process's copy of the program's rules with its own brand's request first.
    post_async(client, market)

    refused = client.post(
        "/api/v1/tickets", json=ticket_body(market), headers={**other.api_key, **ASYNC}
    )

    assert refused.status_code == 404, refused.text
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 1


def test_bad_async_input_is_refused_with_a_clear_error(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    headers = {**market.api_key, **ASYNC}

    nul = client.post("/api/v1/tickets", json=ticket_body(market, body="a\x00b"), headers=headers)
    huge = client.post(
        "/api/v1/tickets", json=ticket_body(market, body="x" * 20_001), headers=headers
    )
    long_key = client.post(
        "/api/v1/tickets",
        json=ticket_body(market),
        headers={**headers, "Idempotency-Key": "k" * 201},
    )

    assert [r.status_code for r in (nul, huge, long_key)] == [422, 422, 422]
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 0


def test_the_customer_link_says_the_message_arrived_until_the_ticket_is_made(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    created = client.post(
        "/api/v1/tickets",
        json=ticket_body(market, language="en"),
        headers={**market.api_key, **ASYNC},
    )
    link = created.json()["customer_link"].replace("http://testserver", "")

    waiting = client.get(link)
    run_jobs(factory)
    made = client.get(link)

    assert waiting.status_code == 200
    assert "We have your message. Your conversation shows here in a moment." in waiting.text
    assert 'http-equiv="refresh"' in waiting.text
    assert "charged twice" not in waiting.text
    assert made.status_code == 200
    assert "charged twice" in made.text
    assert 'http-equiv="refresh"' not in made.text
