"""Security headers on pages, API answers, the docs, the chat frame and static files."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gigcx.web.security_headers import CONTENT_SECURITY_POLICY
from tests.api.helpers import build_marketplace, ticket_body

TEMPLATES = "src/gigcx/web/templates"


def test_a_page_and_an_api_answer_carry_the_strict_policy_and_are_not_stored(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    page = client.get("/password-reset")
    api = client.get("/api/v1/programs", headers=market.brand_admin)
    sign_in = client.get("/login").headers["content-security-policy"]

    for response in (page, api):
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert response.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in response.headers
    # Only the sign-in page's forms may lead elsewhere: to a brand's identity provider.
    assert sign_in == CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", "form-action 'self' https: http:"
    )
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY


def test_hsts_is_sent_only_over_tls(client: TestClient) -> None:
    secure = TestClient(client.app, base_url="https://testserver")

    assert secure.get("/login").headers["strict-transport-security"] == (
        "max-age=31536000; includeSubDomains"
    )
    assert "strict-transport-security" not in client.get("/login").headers


def test_a_forwarded_proto_header_alone_does_not_turn_hsts_on(client: TestClient) -> None:
    # Only uvicorn's trusted-proxy setting turns X-Forwarded-Proto into the request's scheme.
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})

    assert "strict-transport-security" not in response.headers


def test_a_private_ticket_link_sends_no_referrer(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    view = client.get(
        f"/api/v1/tickets/{created.json()['id']}/customer-view", headers=market.brand_admin
    )
    path = "/c/" + view.json()["link"].rsplit("/c/", 1)[1]

    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


def test_static_files_keep_caching_and_the_widget_script_keeps_its_own(
    client: TestClient,
) -> None:
    css = client.get("/static/gigcx.css")
    widget = client.get("/widget.js")

    assert css.status_code == 200
    assert "no-store" not in css.headers.get("cache-control", "")
    assert css.headers["x-content-type-options"] == "nosniff"
    assert widget.headers["cache-control"] == "public, max-age=300"


def test_the_api_docs_keep_their_own_policy_without_inline_script(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        response = client.get(path)
        policy = response.headers["content-security-policy"]

        assert "script-src 'self';" in policy
        assert "frame-ancestors 'none'" in policy
        assert re.search(r"<script>|<script [^>]*>[^<\s]", response.text) is None


def test_refusals_before_any_route_carry_the_headers_too(client: TestClient) -> None:
    response = client.get("/password-reset?x=%00")

    assert response.status_code == 400
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["cache-control"] == "no-store"
