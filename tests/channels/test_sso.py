"""Brand staff sign in with their company's OpenID Connect provider (a real one, on a port)."""

import base64
import hashlib
import html
import socket
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit.models import AuditEvent
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import User
from gigcx.channels.sso import oidc
from gigcx.channels.sso.errors import SsoFailed
from gigcx.channels.sso.models import SsoConfig, SsoIdentity, SsoLogin
from gigcx.config import get_settings
from tests.api.helpers import PASSWORD, sign_in
from tests.channels.sso_helpers import (
    admin_email_of,
    at_provider,
    sso_brand,
    sso_sign_in,
    start_sso,
    user_by_email,
)
from tests.factories.brands import make_brand
from tests.servers.oidc import OidcProvider
from tests.web.helpers import post_form, web_sign_in


def actions_of(session: Session, user: User) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_id == user.id)
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )


def test_a_new_employee_signs_in_with_the_company_account_and_becomes_staff(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    brand = sso_brand(client, session, oidc_provider, new_staff_role="inhouse_agent")

    start = start_sso(client, "Ana@Acme.example")
    authorize = oidc_provider.state.authorize_requests
    callback = client.get(at_provider(start), follow_redirects=False)
    console = client.get("/brand")

    assert callback.status_code == 303, callback.text
    assert callback.headers["location"] == "/brand"
    assert console.status_code == 200
    [query] = authorize
    assert (query["code_challenge_method"], query["login_hint"]) == ("S256", "Ana@Acme.example")
    assert query["redirect_uri"] == "http://testserver/login/sso/callback"
    [token_form] = oidc_provider.state.token_requests
    verifier_hash = hashlib.sha256(token_form["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(verifier_hash).rstrip(b"=").decode() == query["code_challenge"]
    assert oidc_provider.state.token_refusals == []
    user = user_by_email(session, "ana@acme.example")
    assert user is not None
    assert (user.role, user.brand_id, user.display_name) == (
        Role.INHOUSE_AGENT,
        brand.id,
        "Ana Acme",
    )
    identity = session.scalars(select(SsoIdentity).where(SsoIdentity.user_id == user.id)).one()
    assert (identity.issuer, identity.subject) == (oidc_provider.issuer, "employee-0001")
    assert actions_of(session, user) == ["sso.staff_created", "sso.signed_in"]
    assert "gigcx_sso_state" not in client.cookies


def test_existing_staff_are_linked_by_verified_email_when_signing_in_by_brand_name(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    brand = sso_brand(client, session, oidc_provider, new_staff_role="")
    staff = auth_service.create_user(
        session,
        email="ana@acme.example",
        password=PASSWORD,
        role=Role.BRAND_ADMIN,
        brand_id=brand.id,
    )
    session.commit()

    callback = sso_sign_in(client, brand.slug)

    assert callback.status_code == 303, callback.text
    assert client.get("/brand/sso").status_code == 200
    assert actions_of(session, staff) == ["sso.linked", "sso.signed_in"]
    assert session.scalars(
        select(SsoIdentity.subject).where(SsoIdentity.user_id == staff.id)
    ).all() == ["employee-0001"]


def test_only_existing_staff_may_sign_in_when_the_brand_says_so(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    brand = sso_brand(client, session, oidc_provider, new_staff_role="")

    callback = sso_sign_in(client, "ana@acme.example")

    assert callback.status_code == 403
    assert (
        f"ana@acme.example is not yet staff of {brand.name}, and only existing staff may sign in "
        "with their company account; ask one of its admins to invite you"
    ) in callback.text
    assert user_by_email(session, "ana@acme.example") is None
    assert "gigcx_session" not in client.cookies


def _expired() -> dict[str, Any]:
    past = int(time.time()) - 3600
    return {"exp": past, "iat": past - 300}


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"overrides": {"nonce": "a-nonce-of-another-sign-in"}}, "it belongs to another sign-in"),
        ({"overrides": {"aud": "another-application"}}, "it was meant for another application"),
        ({"overrides": {"iss": "https://evil.example"}}, "it was issued by someone else"),
        ({"overrides": _expired()}, "it has expired"),
        ({"alg_none": True}, "its signature is missing or wrong"),
        ({"sign_with_other_key": True}, "its signature is missing or wrong"),
    ],
    ids=["nonce", "audience", "issuer", "expired", "alg-none", "wrong-key"],
)
def test_an_id_token_that_fails_a_check_signs_nobody_in(
    client: TestClient,
    session: Session,
    oidc_provider: OidcProvider,
    tamper: dict[str, Any],
    reason: str,
) -> None:
    sso_brand(client, session, oidc_provider)
    for name, value in tamper.items():
        setattr(oidc_provider.state, name, value)

    callback = sso_sign_in(client, "ana@acme.example")

    assert callback.status_code == 403
    assert f"could not be verified ({reason}); start again" in callback.text
    assert user_by_email(session, "ana@acme.example") is None
    assert session.scalars(select(SsoIdentity)).all() == []
    assert "gigcx_session" not in client.cookies


@pytest.mark.parametrize(
    ("user", "message"),
    [
        (
            {"email_verified": False},
            "your company account's email ana@acme.example is not verified",
        ),
        (
            {"email": "ana@elsewhere.example"},
            "your company account's email ana@elsewhere.example is not allowed for Brand",
        ),
        ({"email": None}, "your company account did not share its email address"),
        ({"email": "ana\x00@acme.example"}, "did not share its email address"),
        ({"sub": "employee\x00"}, "subject (sub) is not text GigCX can store"),
    ],
    ids=["unverified", "other-domain", "no-email", "nul-in-email", "nul-in-subject"],
)
def test_the_email_must_be_verified_and_in_an_allowed_domain(
    client: TestClient,
    session: Session,
    oidc_provider: OidcProvider,
    user: dict[str, Any],
    message: str,
) -> None:
    sso_brand(client, session, oidc_provider)
    oidc_provider.state.overrides = user

    callback = sso_sign_in(client, "acme.example")

    assert callback.status_code == 403
    assert message in html.unescape(callback.text)
    assert session.scalars(select(SsoIdentity)).all() == []
    assert session.scalars(select(User).where(User.email.like("%acme.example"))).all() == []


def test_a_callback_is_used_once_and_only_in_the_browser_that_started_it(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    sso_brand(client, session, oidc_provider)
    callback_url = at_provider(start_sso(client, "ana@acme.example"))
    with TestClient(client.app) as other_browser:
        elsewhere = other_browser.get(callback_url, follow_redirects=False)
    first = client.get(callback_url, follow_redirects=False)
    client.cookies.delete("gigcx_session")
    client.cookies.set("gigcx_sso_state", callback_url.split("state=")[1].split("&")[0])
    replay = client.get(callback_url, follow_redirects=False)
    forged = client.get(callback_url.replace("state=", "state=x"), follow_redirects=False)

    assert elsewhere.status_code == 403
    assert "began in another browser" in elsewhere.text
    assert first.status_code == 303
    assert replay.status_code == 403
    assert "was already used" in replay.text
    assert forged.status_code == 403
    assert "gigcx_session" not in client.cookies
    # The replayed code never reached the provider again.
    assert len(oidc_provider.state.token_requests) == 1
    assert session.scalars(select(SsoLogin.used_at)).one() is not None


def test_a_sign_in_the_provider_refused_is_told_plainly(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    sso_brand(client, session, oidc_provider)
    oidc_provider.state.deny_with = "access_denied"

    callback = sso_sign_in(client, "ana@acme.example")

    assert callback.status_code == 403
    assert "did not sign you in (The user said no); start again" in callback.text
    assert oidc_provider.state.token_requests == []


def test_an_unknown_company_is_told_plainly(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    sso_brand(client, session, oidc_provider)

    start = start_sso(client, "bo@nowhere.example")

    assert start.status_code == 404
    assert "no company signs in with its own accounts at" in start.text
    assert oidc_provider.state.authorize_requests == []
    assert session.scalars(select(SsoLogin)).all() == []


def test_the_subject_keeps_the_link_when_the_email_changes(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    sso_brand(client, session, oidc_provider)
    first = sso_sign_in(client, "ana@acme.example")
    client.cookies.clear()
    user = user_by_email(session, "ana@acme.example")
    oidc_provider.state.user["email"] = "ana.silva@acme.example"

    second = sso_sign_in(client, "ana.silva@acme.example")
    me = client.get("/brand")
    client.cookies.clear()
    # Someone else at the provider, now given the old address, is not let into Ana's account.
    oidc_provider.state.user = {**oidc_provider.state.user, "sub": "employee-0002"}
    oidc_provider.state.user["email"] = "ana@acme.example"
    impostor = sso_sign_in(client, "ana@acme.example")

    assert (first.status_code, second.status_code, me.status_code) == (303, 303, 200)
    assert user is not None
    session.expire_all()
    assert session.scalars(select(User.id).where(User.email.like("%acme.example"))).all() == [
        user.id
    ]
    identity = session.scalars(select(SsoIdentity)).one()
    assert (identity.user_id, identity.email) == (user.id, "ana.silva@acme.example")
    assert impostor.status_code == 403
    assert "is linked to another company account" in impostor.text


def test_require_sso_refuses_passwords_of_that_brands_staff_only(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    brand = sso_brand(client, session, oidc_provider, is_required=True)
    admin_email = admin_email_of(session, brand)
    auth_service.create_user(
        session, email="root@platform.example", password=PASSWORD, role=Role.PLATFORM_ADMIN
    )
    other = sso_brand(client, session, oidc_provider, domains="other.example")
    session.commit()

    api = client.post("/api/v1/auth/login", json={"email": admin_email, "password": PASSWORD})
    web = post_form(client, "/login", {"email": admin_email, "password": PASSWORD})
    platform = client.post(
        "/api/v1/auth/login", json={"email": "root@platform.example", "password": PASSWORD}
    )
    other_staff = client.post(
        "/api/v1/auth/login", json={"email": admin_email_of(session, other), "password": PASSWORD}
    )
    client.cookies.clear()
    by_sso = sso_sign_in(client, "ana@acme.example")

    message = (
        f"{brand.name} asks its staff to sign in with their company account: use "
        "\u201cSign in with your company account\u201d instead of a password"
    )
    assert (api.status_code, api.json()) == (403, {"detail": message})
    assert web.status_code == 403
    assert "asks its staff to sign in with their company account" in web.text
    assert (platform.status_code, other_staff.status_code, by_sso.status_code) == (200, 200, 303)


def test_the_console_page_keeps_the_secret_and_refuses_bad_settings(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    brand = sso_brand(client, session, oidc_provider)
    web_sign_in(client, admin_email_of(session, brand))
    page = client.get("/brand/sso")
    kept = post_form(
        client,
        "/brand/sso",
        {
            "issuer": oidc_provider.issuer + "/",
            "client_id": "gigcx-test-client",
            "client_secret": "",
            "allowed_domains": "@Acme.example, acme.example",
            "new_staff_role": "",
            "is_enabled": "on",
        },
    )
    http_issuer = post_form(
        client,
        "/brand/sso",
        {
            "issuer": "http://login.example.com",
            "client_id": "x",
            "allowed_domains": "acme.example",
            "is_enabled": "on",
        },
    )
    bad_domain = post_form(
        client,
        "/brand/sso",
        {
            "issuer": "https://login.example.com",
            "client_id": "x",
            "allowed_domains": "acme",
            "is_enabled": "on",
        },
    )
    client.cookies.clear()
    still_works = sso_brand_sign_in_as_existing(client, session, brand.id)
    client.cookies.clear()
    web_sign_in(client, admin_email_of(session, brand))
    listing = client.get("/brand/sso")

    assert page.status_code == 200
    assert 'value="http://testserver/login/sso/callback"' in page.text
    assert "A secret is saved; leave empty to keep it." in page.text
    assert kept.status_code == 303
    assert http_issuer.status_code == 400
    assert "must start with https://" in http_issuer.text
    assert bad_domain.status_code == 400
    assert "is not an email domain such as example.com" in bad_domain.text
    assert still_works == 303
    assert "Nobody yet." in page.text
    assert "<td>ana@acme.example</td><td>ana@acme.example</td>" in listing.text


def sso_brand_sign_in_as_existing(client: TestClient, session: Session, brand_id: Any) -> int:
    auth_service.create_user(
        session,
        email="ana@acme.example",
        password=PASSWORD,
        role=Role.INHOUSE_AGENT,
        brand_id=brand_id,
    )
    session.commit()
    return sso_sign_in(client, "ana@acme.example").status_code


def test_an_in_house_agent_cannot_change_single_sign_on(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    sso_brand(client, session, oidc_provider)
    sso_sign_in(client, "ana@acme.example")

    page = client.get("/brand/sso")
    posted = post_form(client, "/brand/sso", {"issuer": "https://x.example", "client_id": "y"})

    assert (page.status_code, posted.status_code) == (403, 403)


def test_a_provider_on_a_private_address_is_refused_unless_trusted(
    client: TestClient,
    session: Session,
    oidc_provider: OidcProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sso_brand(client, session, oidc_provider)
    monkeypatch.setattr(get_settings(), "sso_trusted_hosts", "")

    start = start_sso(client, "ana@acme.example")
    with pytest.raises(SsoFailed) as metadata_service:
        oidc.fetch_metadata("https://169.254.169.254/latest")
    with pytest.raises(SsoFailed) as loopback:
        oidc.fetch_metadata("https://127.0.0.1:8443")

    assert start.status_code == 403
    assert "must start with https://" in start.text
    assert oidc_provider.state.authorize_requests == []
    for refusal in (metadata_service.value, loopback.value):
        assert "points to a private or local address" in refusal.detail
        assert "GIGCX_SSO_TRUSTED_HOSTS" in refusal.detail


def test_an_unreachable_provider_is_told_plainly(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    brand = sso_brand(client, session, oidc_provider)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    config = session.scalars(select(SsoConfig).where(SsoConfig.brand_id == brand.id)).one()
    config.issuer = f"http://127.0.0.1:{closed_port}"
    session.commit()

    start = start_sso(client, "ana@acme.example")

    assert start.status_code == 502
    assert "your company's identity provider could not be reached" in html.unescape(start.text)
    assert oidc_provider.state.authorize_requests == []


@pytest.mark.parametrize("path", ["/brand/sso", "/brand/staff"])
def test_console_forms_carry_the_browsers_csrf_token(
    client: TestClient, session: Session, oidc_provider: OidcProvider, path: str
) -> None:
    brand = sso_brand(client, session, oidc_provider)
    web_sign_in(client, admin_email_of(session, brand))

    page = client.get(path)

    token = client.cookies["gigcx_csrf"]
    assert page.status_code == 200
    forms = page.text.count("<form")
    assert page.text.count(f'name="csrf_token" value="{token}"') == forms


def test_the_api_sets_and_reads_single_sign_on_settings(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    brand = make_brand(session)
    session.commit()
    admin = sign_in(client, admin_email_of(session, brand))
    body = {
        "issuer": oidc_provider.issuer,
        "client_id": "gigcx-test-client",
        "client_secret": "a-client-secret-for-tests",
        "allowed_domains": ["Acme.example"],
        "new_staff_role": "inhouse_agent",
    }

    missing = client.get("/api/v1/sso-settings", headers=admin)
    saved = client.put("/api/v1/sso-settings", json=body, headers=admin)
    read = client.get("/api/v1/sso-settings", headers=admin)
    bad = client.put(
        "/api/v1/sso-settings", json={**body, "issuer": "ftp://id.example"}, headers=admin
    )
    signed_in = sso_sign_in(client, "ana@acme.example")

    assert missing.status_code == 404
    assert saved.status_code == 200
    assert read.json() == {
        "issuer": oidc_provider.issuer,
        "client_id": "gigcx-test-client",
        "has_client_secret": True,
        "allowed_domains": ["acme.example"],
        "new_staff_role": "inhouse_agent",
        "is_required": False,
        "is_enabled": True,
        "redirect_uri": "http://testserver/login/sso/callback",
    }
    assert bad.status_code == 400
    assert "must start with https://" in bad.json()["detail"]
    assert signed_in.status_code == 303
