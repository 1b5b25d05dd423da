"""API key scopes (intake, read, admin) and expiry, enforced in one place for every route."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.api.deps import SCOPE_MARK
from gigcx.audit.models import AuditEvent
from gigcx.auth.models import ApiKey
from gigcx.kit import clock
from tests.api.helpers import Headers, Marketplace, build_marketplace, ticket_body
from tests.web.helpers import post_form, web_sign_in


def new_key(client: TestClient, market: Marketplace, scope: str, **extra: str) -> Headers:
    created = client.post(
        "/api/v1/api-keys",
        json={"name": f"{scope} key", "scope": scope, **extra},
        headers=market.brand_admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["scope"] == scope
    return {"Authorization": f"Bearer {created.json()['key']}"}


def test_an_intake_key_creates_tickets_but_reads_nothing(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    intake = new_key(client, market, "intake")

    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=intake)
    ticket_id = created.json()["id"]
    follow_up = client.post(
        f"/api/v1/tickets/{ticket_id}/customer-messages",
        json={"body": "Any news?"},
        headers=intake,
    )
    listing = client.get("/api/v1/tickets", headers=intake)
    resolve = client.post(f"/api/v1/tickets/{ticket_id}/cancel", headers=intake)

    assert created.status_code == 201 and follow_up.status_code == 201
    assert listing.status_code == 403
    assert "'intake' scope" in listing.json()["detail"]
    assert "'read' or 'admin' scope" in listing.json()["detail"]
    assert resolve.status_code == 403 and "'admin' scope" in resolve.json()["detail"]


def test_a_read_key_reads_but_cannot_post(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)
    read = new_key(client, market, "read")

    listing = client.get("/api/v1/tickets", headers=read)
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=read)

    assert listing.status_code == 200
    assert created.status_code == 403
    assert "'intake' or 'admin' scope" in created.json()["detail"]


def test_an_admin_key_does_everything_and_is_the_default(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    listed = client.get("/api/v1/api-keys", headers=market.brand_admin).json()

    assert [key["scope"] for key in listed] == ["admin"]
    assert client.get("/api/v1/tickets", headers=market.api_key).status_code == 200
    assert (
        client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key).status_code
        == 201
    )


def test_an_expired_key_is_refused(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)
    soon = (clock.now() + timedelta(days=1)).isoformat()
    key = new_key(client, market, "admin", expires_at=soon)
    past = client.post(
        "/api/v1/api-keys",
        json={"name": "late", "expires_at": (clock.now() - timedelta(days=1)).isoformat()},
        headers=market.brand_admin,
    )

    assert client.get("/api/v1/tickets", headers=key).status_code == 200
    with clock.shifted(timedelta(days=2)):
        refused = client.get("/api/v1/tickets", headers=key)

    assert refused.status_code == 401 and "expired" in refused.json()["detail"]
    assert past.status_code == 400 and "in the past" in past.json()["detail"]


def test_key_creation_and_revocation_are_audited(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)
    created = client.post(
        "/api/v1/api-keys", json={"name": "sync", "scope": "read"}, headers=market.brand_admin
    ).json()

    client.delete(f"/api/v1/api-keys/{created['id']}", headers=market.brand_admin)

    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_type == "api_key")
    ).all()
    assert actions.count("api_key.created") == 2 and actions.count("api_key.revoked") == 1


def test_the_intake_routes_are_marked_in_the_openapi_document(client: TestClient) -> None:
    """The routes an intake key may call, as the API documents them."""
    paths = client.get("/openapi.json").json()["paths"]
    marked = {
        (method.upper(), path)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if operation.get(SCOPE_MARK) == "intake"
    }
    assert marked == {
        ("POST", "/api/v1/tickets"),
        ("POST", "/api/v1/tickets/{ticket_id}/customer-messages"),
        ("POST", "/api/v1/inbound/email"),
    }


def test_the_console_creates_a_key_with_a_scope_and_an_expiry(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    web_sign_in(client, market.brand_admin_email)
    expiry = (clock.now() + timedelta(days=30)).date().isoformat()

    bad = post_form(
        client, "/brand/api-keys", {"name": "x", "scope": "root", "expires_on": "someday"}
    )
    created = post_form(
        client, "/brand/api-keys", {"name": "sync", "scope": "intake", "expires_on": expiry}
    )
    listing = client.get("/brand/api-keys")

    assert bad.status_code == 400
    assert "Choose what the key may do" in bad.text and "2027-06-30" in bad.text
    assert created.status_code == 201
    stored = session.scalars(select(ApiKey).where(ApiKey.name == "sync")).one()
    assert stored.scope == "intake" and stored.expires_at is not None
    assert stored.expires_at.date().isoformat() == expiry
    assert "<td>intake</td>" in listing.text
