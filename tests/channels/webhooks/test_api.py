"""The webhooks API: endpoints, secrets and rotation, test events, messages, replays; each
brand sees only its own, and bad input gets a plain 4xx."""

import base64
import uuid
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import WebhookVerificationError

from gigcx.channels.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookMessage
from gigcx.jobs import events
from gigcx.jobs.events import EventType
from gigcx.jobs.models import Job
from gigcx.kit import clock
from tests.api.helpers import Headers, Marketplace, build_marketplace
from tests.channels.webhooks.receiver import Answer, Receiver
from tests.factories.tickets import run_jobs

BASE = "/api/v1/webhooks/endpoints"


def create(client: TestClient, headers: Headers, **body: Any) -> dict[str, Any]:
    response = client.post(BASE, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture
def market(client: TestClient, session: Session) -> Marketplace:
    return build_marketplace(client, session, experts=0)


def test_an_endpoint_is_created_with_a_secret_shown_once_and_changed(
    client: TestClient, market: Marketplace, receiver: Receiver
) -> None:
    created = create(
        client,
        market.brand_admin,
        url=receiver.url(),
        description="CRM sync",
        event_types=["ticket.resolved", "ticket.created", "ticket.created"],
    )
    endpoint_id = created["id"]
    key = base64.b64decode(created["secret"].removeprefix("whsec_"))

    read = client.get(f"{BASE}/{endpoint_id}", headers=market.brand_admin)
    changed = client.patch(
        f"{BASE}/{endpoint_id}",
        json={"event_types": [], "status": "disabled"},
        headers=market.api_key,
    )
    listed = client.get(BASE, headers=market.brand_admin)

    assert created["secret"].startswith("whsec_") and len(key) == 32
    assert created["event_types"] == ["ticket.created", "ticket.resolved"]
    assert read.status_code == 200 and "secret" not in read.json()
    assert read.json()["description"] == "CRM sync"
    assert changed.status_code == 200
    assert (changed.json()["event_types"], changed.json()["status"]) == ([], "disabled")
    assert changed.json()["disabled_reason"] == "by_brand"
    assert [e["id"] for e in listed.json()] == [endpoint_id]


def test_a_test_event_is_sent_and_listed_with_its_attempts(
    client: TestClient,
    factory: sessionmaker[Session],
    market: Marketplace,
    receiver: Receiver,
) -> None:
    created = create(client, market.brand_admin, url=receiver.url())
    receiver.secrets.append(created["secret"])
    receiver.answer(Answer(500, body=b"oops"))

    sent = client.post(f"{BASE}/{created['id']}/test", headers=market.brand_admin)
    run_jobs(factory)
    listed = client.get(f"{BASE}/{created['id']}/messages", headers=market.brand_admin)

    assert sent.status_code == 202 and sent.json()["event_type"] == "webhook.test"
    [request] = receiver.requests
    assert request.verified[created["secret"]]["data"] == {
        "endpoint_id": created["id"],
        "brand_id": market.brand_id,
    }
    page = listed.json()
    assert page["total"] == 1
    [item] = page["items"]
    assert item["message_id"] == request.headers["webhook-id"] == sent.json()["message_id"]
    assert item["status"] == "pending"
    [attempt] = item["attempts"]
    assert (attempt["n"], attempt["outcome"], attempt["status_code"]) == (1, "failed", 500)
    assert attempt["response_snippet"] == "oops"
    assert attempt["next_attempt_at"] == item["next_attempt_at"]


def test_after_a_rotation_both_secrets_verify_for_a_day_then_only_the_new_one(
    client: TestClient,
    factory: sessionmaker[Session],
    market: Marketplace,
    receiver: Receiver,
) -> None:
    created = create(client, market.brand_admin, url=receiver.url())
    old = created["secret"]

    rotated = client.post(f"{BASE}/{created['id']}/rotate-secret", headers=market.brand_admin)
    new = rotated.json()["secret"]
    receiver.secrets.extend([old, new])
    client.post(f"{BASE}/{created['id']}/test", headers=market.brand_admin)
    run_jobs(factory)
    with clock.shifted(timedelta(hours=24, seconds=1)):
        later = client.post(f"{BASE}/{created['id']}/test", headers=market.brand_admin)
        run_jobs(factory)

    assert rotated.status_code == 200 and new.startswith("whsec_") and new != old
    assert later.status_code == 202
    during, after = receiver.requests
    assert during.headers["webhook-signature"].count("v1,") == 2
    assert not isinstance(during.verified[old], Exception)
    assert not isinstance(during.verified[new], Exception)
    assert after.headers["webhook-signature"].count("v1,") == 1
    assert isinstance(after.verified[old], WebhookVerificationError)
    assert not isinstance(after.verified[new], Exception)


def test_replay_resends_one_message_or_a_range_with_the_same_ids(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    market: Marketplace,
    receiver: Receiver,
) -> None:
    created = create(client, market.brand_admin, url=receiver.url())
    receiver.secrets.append(created["secret"])
    brand_id = uuid.UUID(market.brand_id)
    start = clock.now()
    with ExitStack() as moved:
        for hour in range(3):
            moved.enter_context(clock.travel_to(start + timedelta(hours=hour)))
            events.emit(
                session,
                brand_id=brand_id,
                event_type=EventType.TICKET_CREATED,
                data={"ticket_id": f"t-{hour}"},
            )
            session.commit()
            run_jobs(factory)
    first_ids = [r.headers["webhook-id"] for r in receiver.requests]
    endpoint = f"{BASE}/{created['id']}"

    one = client.post(
        f"{endpoint}/replay", json={"message_id": first_ids[0]}, headers=market.brand_admin
    )
    run_jobs(factory)
    since = (start + timedelta(minutes=30)).isoformat()
    until = (start + timedelta(hours=2, minutes=30)).isoformat()
    ranged = client.post(
        f"{endpoint}/replay", json={"since": since, "until": until}, headers=market.brand_admin
    )
    run_jobs(factory)

    assert (one.status_code, one.json()) == (202, {"replayed": 1})
    assert (ranged.status_code, ranged.json()) == (202, {"replayed": 2})
    assert [r.headers["webhook-id"] for r in receiver.requests] == [
        *first_ids,
        first_ids[0],
        first_ids[1],
        first_ids[2],
    ]
    assert all(not isinstance(r.verified[created["secret"]], Exception) for r in receiver.requests)
    assert receiver.handled == first_ids
    listed = client.get(f"{endpoint}/messages", headers=market.brand_admin).json()
    assert [len(item["attempts"]) for item in listed["items"]] == [2, 2, 2]


def test_another_brands_endpoint_is_not_found_on_every_route(
    client: TestClient,
    session: Session,
    market: Marketplace,
    receiver: Receiver,
) -> None:
    other = build_marketplace(client, session, experts=0)
    created = create(client, market.brand_admin, url=receiver.url(), description="mine")
    endpoint = f"{BASE}/{created['id']}"
    stranger = other.brand_admin
    jobs_before = session.scalars(select(Job.id)).all()

    answers = [
        client.get(endpoint, headers=stranger),
        client.patch(endpoint, json={"description": "theirs"}, headers=stranger),
        client.post(f"{endpoint}/rotate-secret", headers=stranger),
        client.post(f"{endpoint}/test", headers=stranger),
        client.get(f"{endpoint}/messages", headers=stranger),
        client.post(
            f"{endpoint}/replay", json={"since": "2020-01-01T00:00:00Z"}, headers=other.api_key
        ),
    ]

    assert [a.status_code for a in answers] == [404] * 6
    assert answers[0].json()["detail"].startswith("webhook endpoint not found")
    assert client.get(BASE, headers=stranger).json() == []
    session.expire_all()
    stored = session.get_one(WebhookEndpoint, uuid.UUID(created["id"]))
    assert stored.description == "mine"
    assert session.scalars(select(Job.id)).all() == jobs_before
    assert session.scalars(select(WebhookMessage)).all() == []
    assert session.scalars(select(WebhookDelivery)).all() == []


def test_anonymous_callers_and_platform_admins_are_refused(
    client: TestClient, session: Session, market: Marketplace
) -> None:
    assert client.get(BASE).status_code == 401
    assert client.get(BASE, headers=market.admin).status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"url": "https://example.com/\x00hook"}, 422, "url"),
        ({"url": "https://example.com/hook", "description": "a\x00b"}, 422, "description"),
        ({"url": "https://example.com/" + "a" * 10_000}, 422, "url"),
        ({"url": "https://example.com/hook", "event_types": ["ticket.exploded"]}, 422, "0"),
        ({"url": "http://example.com/hook"}, 400, "webhooks go over HTTPS only: write https://"),
        (
            {"url": "https://10.0.0.8/hook"},
            400,
            "10.0.0.8 is a private address; webhooks go to public addresses only",
        ),
        ({"url": "https://[::1]:8080/"}, 400, "::1 is a loopback address"),
        ({"url": "not a url"}, 400, "the URL holds spaces or control characters"),
    ],
)
def test_bad_endpoints_are_refused_plainly(
    client: TestClient,
    session: Session,
    market: Marketplace,
    body: dict[str, Any],
    status: int,
    detail: str,
) -> None:
    response = client.post(BASE, json=body, headers=market.brand_admin)

    assert response.status_code == status, response.text
    assert detail in str(response.json()["detail"])
    assert session.scalars(select(WebhookEndpoint)).all() == []


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({}, 400, "say what to replay: a message_id, or since"),
        (
            {"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
            400,
            "the range is empty: since must come before until",
        ),
        ({"message_id": "msg_nothere"}, 404, "this endpoint has no message 'msg_nothere'"),
        ({"message_id": "msg_\x00"}, 422, "message_id"),
        (
            {"message_id": "msg_a", "since": "2026-01-01T00:00:00Z"},
            400,
            "give either a message id or a time range, not both",
        ),
    ],
)
def test_bad_replays_are_refused_plainly(
    client: TestClient,
    market: Marketplace,
    receiver: Receiver,
    body: dict[str, Any],
    status: int,
    detail: str,
) -> None:
    created = create(client, market.brand_admin, url=receiver.url())

    response = client.post(f"{BASE}/{created['id']}/replay", json=body, headers=market.api_key)

    assert response.status_code == status, response.text
    assert detail in str(response.json()["detail"])


def test_a_disabled_endpoint_gets_no_test_nor_replay(
    client: TestClient, market: Marketplace, receiver: Receiver
) -> None:
    created = create(client, market.brand_admin, url=receiver.url())
    endpoint = f"{BASE}/{created['id']}"
    client.patch(endpoint, json={"status": "disabled"}, headers=market.brand_admin)

    sent = client.post(f"{endpoint}/test", headers=market.brand_admin)
    replayed = client.post(
        f"{endpoint}/replay", json={"since": "2020-01-01T00:00:00Z"}, headers=market.brand_admin
    )

    assert (sent.status_code, replayed.status_code) == (409, 409)
    assert sent.json()["detail"] == "the endpoint is disabled; enable it first, then send or replay"
    listed = client.get(f"{endpoint}/messages", headers=market.brand_admin)
    assert listed.json()["total"] == 0
