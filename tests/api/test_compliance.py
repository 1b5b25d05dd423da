"""Expert compliance over HTTP: agreements, brand rules, identity-check webhooks, why no offers."""

import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.config import get_settings
from gigcx.experts.compliance import service as compliance_service
from gigcx.experts.compliance.models import IdentityCheck
from tests.api.helpers import Headers, Marketplace, build_marketplace, ticket_body

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def new_ticket_offers(client: TestClient, market: Marketplace) -> list[str]:
    """Take a ticket in through the API; return the ids of the offers the expert now sees."""
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    assert created.status_code == 201, created.text
    offers = client.get("/api/v1/offers", headers=market.experts[0]).json()
    return [o["ticket_id"] for o in offers if o["ticket_id"] == created.json()["id"]]


def reasons(client: TestClient, expert: Headers) -> list[str]:
    found = client.get("/api/v1/experts/me/eligibility", headers=expert)
    assert found.status_code == 200, found.text
    return [block["message"] for item in found.json() for block in item["blocks"]]


def test_a_brand_agreement_blocks_offers_until_the_expert_accepts_it(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    expert = market.experts[0]
    published = client.post(
        "/api/v1/compliance/agreements",
        json={"title": "Contractor agreement", "body": "# Agreement\nYou are a contractor.\n"},
        headers=market.brand_admin,
    )
    assert published.status_code == 201, published.text
    agreement = published.json()
    assert agreement["version"] == 1
    assert agreement["body_sha256"] == compliance_service.text_hash(
        "# Agreement\nYou are a contractor.\n"
    )

    assert new_ticket_offers(client, market) == []
    brand_name = client.get("/api/v1/experts/me/eligibility", headers=expert).json()[0][
        "brand_name"
    ]
    assert reasons(client, expert) == [
        f"Accept the contractor agreement of {brand_name} (version 1) to receive offers."
    ]
    pending = client.get("/api/v1/experts/me/agreements", headers=expert).json()
    assert [a["id"] for a in pending] == [agreement["id"]]

    accepted = client.post(
        f"/api/v1/experts/me/agreements/{agreement['id']}/accept",
        json={"full_name": "Ana Expert"},
        headers=expert,
    )

    assert accepted.status_code == 201, accepted.text
    assert len(new_ticket_offers(client, market)) == 1
    assert reasons(client, expert) == []
    assert client.get("/api/v1/experts/me/agreements", headers=expert).json() == []
    who = client.get(
        f"/api/v1/compliance/agreements/{agreement['id']}/acceptances", headers=market.brand_admin
    ).json()
    assert [(w["full_name"], w["client_address"], w["body_sha256"]) for w in who] == [
        ("Ana Expert", "testclient", agreement["body_sha256"])
    ]


def test_platform_terms_are_published_by_platform_admins_only(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    body = {"title": "Platform terms", "body": "# Terms\n"}

    refused = client.post(
        "/api/v1/compliance/platform-terms", json=body, headers=market.brand_admin
    )
    published = client.post("/api/v1/compliance/platform-terms", json=body, headers=market.admin)

    assert refused.status_code == 403
    assert published.status_code == 201
    assert reasons(client, market.experts[0]) == [
        f"Accept the platform terms (version {published.json()['version']}) to receive offers."
    ]


def test_a_denied_country_stops_offers_and_says_so(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session)  # the experts sign up from PT
    changed = client.put(
        "/api/v1/compliance/rules", json={"denied_countries": ["pt"]}, headers=market.brand_admin
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["denied_countries"] == ["PT"]

    assert new_ticket_offers(client, market) == []
    assert [
        r.endswith("does not take experts from PT.") for r in reasons(client, market.experts[0])
    ] == [True]


def test_work_authorisation_attested_over_the_api_lets_offers_flow(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    expert = market.experts[0]
    client.put(
        "/api/v1/compliance/rules",
        json={"requires_work_authorisation": True},
        headers=market.brand_admin,
    )
    assert new_ticket_offers(client, market) == []

    attested = client.post(
        "/api/v1/experts/me/work-authorisations", json={"brand_id": market.brand_id}, headers=expert
    )

    assert attested.status_code == 201, attested.text
    assert attested.json()["country"] == "PT"
    assert len(new_ticket_offers(client, market)) == 1


@pytest.mark.parametrize(
    "rules",
    [
        {"denied_countries": ["Portugal"]},
        {"allowed_countries": ["1x"]},
        {"max_hours_per_week": 0},
        {"max_hours_per_week": 169},
    ],
)
def test_bad_rules_are_refused_with_a_reason(
    client: TestClient, session: Session, rules: dict[str, object]
) -> None:
    market = build_marketplace(client, session, experts=0)

    response = client.put("/api/v1/compliance/rules", json=rules, headers=market.brand_admin)

    assert response.status_code == 422
    assert response.json()["detail"]


def test_accepting_needs_a_typed_name(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session)
    agreement = client.post(
        "/api/v1/compliance/agreements",
        json={"title": "Agreement", "body": "Text"},
        headers=market.brand_admin,
    ).json()

    response = client.post(
        f"/api/v1/experts/me/agreements/{agreement['id']}/accept",
        json={"full_name": "A"},
        headers=market.experts[0],
    )

    assert response.status_code == 422
    assert reasons(client, market.experts[0]) != []


@pytest.fixture
def webhook_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("GIGCX_IDENTITY_WEBHOOK_SECRET", SECRET)
    get_settings.cache_clear()
    yield SECRET
    get_settings.cache_clear()


def deliver(
    client: TestClient,
    payload: dict[str, object],
    *,
    webhook_id: str,
    timestamp: int | None = None,
    secret: str = SECRET,
) -> tuple[int, dict[str, object]]:
    body = json.dumps(payload).encode()
    stamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": compliance_service.sign(secret, webhook_id, stamp, body),
    }
    response = client.post("/api/v1/compliance/identity-checks", content=body, headers=headers)
    return response.status_code, response.json()


def check(expert_id: str, status: str) -> dict[str, object]:
    return {
        "expert_id": expert_id,
        "status": status,
        "provider": "checkr",
        "checked_at": "2026-12-01T10:00:00Z",
    }


def stored_checks(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(IdentityCheck)) or 0)


@pytest.mark.usefixtures("webhook_secret")
def test_a_signed_clear_identity_check_lets_offers_flow(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    client.put(
        "/api/v1/compliance/rules",
        json={"requires_identity_check": True},
        headers=market.brand_admin,
    )
    assert new_ticket_offers(client, market) == []
    assert [r.endswith("you have none yet.") for r in reasons(client, market.experts[0])] == [True]

    status, body = deliver(client, check(market.expert_ids[0], "clear"), webhook_id="msg_clear")

    assert (status, body["status"]) == (201, "clear")
    assert len(new_ticket_offers(client, market)) == 1


@pytest.mark.usefixtures("webhook_secret")
def test_a_bad_signature_is_refused_and_nothing_is_stored(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)

    status, body = deliver(
        client,
        check(market.expert_ids[0], "clear"),
        webhook_id="msg_forged",
        secret="whsec_c29tZW9uZSBlbHNlcyBzZWNyZXQ=",
    )

    assert status == 401
    assert "signature does not match" in str(body["detail"])
    assert stored_checks(session) == 0


@pytest.mark.usefixtures("webhook_secret")
def test_a_replayed_webhook_is_refused(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session)
    payload = check(market.expert_ids[0], "clear")
    assert deliver(client, payload, webhook_id="msg_once")[0] == 201

    status, body = deliver(client, payload, webhook_id="msg_once")

    assert status == 409
    assert "already received" in str(body["detail"])
    assert stored_checks(session) == 1


@pytest.mark.usefixtures("webhook_secret")
@pytest.mark.parametrize("skew", [-3600, 3600])
def test_a_stale_or_future_timestamp_is_refused(
    client: TestClient, session: Session, skew: int
) -> None:
    market = build_marketplace(client, session)

    status, body = deliver(
        client,
        check(market.expert_ids[0], "clear"),
        webhook_id="msg_stale",
        timestamp=int(time.time()) + skew,
    )

    assert status == 401
    assert "stale" in str(body["detail"])
    assert stored_checks(session) == 0


@pytest.mark.usefixtures("webhook_secret")
def test_missing_signature_headers_and_bad_payloads_are_refused(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    unsigned = client.post(
        "/api/v1/compliance/identity-checks", json=check(market.expert_ids[0], "clear")
    )
    bad_status = deliver(client, check(market.expert_ids[0], "approved"), webhook_id="msg_bad")
    unknown = deliver(
        client, check("00000000-0000-0000-0000-000000000000", "clear"), webhook_id="msg_unknown"
    )

    assert unsigned.status_code == 401
    assert bad_status[0] == 422
    assert unknown[0] == 404
    assert stored_checks(session) == 0


def test_the_webhook_is_off_without_a_secret(client: TestClient, session: Session) -> None:
    status, body = deliver(
        client, check("00000000-0000-0000-0000-000000000000", "clear"), webhook_id="m"
    )

    assert status == 404
    assert "GIGCX_IDENTITY_WEBHOOK_SECRET" in str(body["detail"])


def test_the_expert_sees_this_week_s_hours_against_each_cap(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    client.put(
        "/api/v1/compliance/rules", json={"max_hours_per_week": 20}, headers=market.brand_admin
    )

    hours = client.get("/api/v1/experts/me/hours", headers=market.experts[0])

    assert hours.status_code == 200, hours.text
    body = hours.json()
    assert body["hours"] == 0
    assert [(c["hours"], c["cap"]) for c in body["caps"]] == [(0, None), (0, 20)]
