"""A brand that asks its admins to use a second factor, in the API and the web console."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.helpers import build_marketplace
from tests.auth.helpers import PASSWORD, code, login, sign_in, turn_on_app
from tests.web.helpers import post_form, web_sign_in


def test_an_admin_without_an_app_can_only_set_one_up(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)
    rule = client.put(
        "/api/v1/sign-in-rules",
        json={"admins_need_second_factor": True},
        headers=market.brand_admin,
    )
    admin = sign_in(client, market.brand_admin_email)

    refused = client.get("/api/v1/programs", headers=admin)
    key_still_works = client.get("/api/v1/programs", headers=market.api_key)
    me = client.get("/api/v1/auth/me", headers=admin)
    _, recovery = turn_on_app(client, admin)
    allowed = client.get("/api/v1/programs", headers=admin)

    assert rule.status_code == 200 and rule.json() == {"admins_need_second_factor": True}
    assert refused.status_code == 403 and "second factor" in refused.json()["detail"]
    assert "/api/v1/auth/second-factor/setup" in refused.json()["detail"]
    assert key_still_works.status_code == 200 and me.status_code == 200
    assert allowed.status_code == 200 and len(recovery) == 10


def test_the_app_stays_on_while_the_brand_requires_it(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)
    secret, _ = turn_on_app(client, market.brand_admin)
    client.put(
        "/api/v1/sign-in-rules",
        json={"admins_need_second_factor": True},
        headers=market.brand_admin,
    )

    refused = client.post(
        "/api/v1/auth/second-factor/disable",
        json={"password": PASSWORD, "code": code(secret, steps_ahead=1)},
        headers=market.brand_admin,
    )

    assert refused.status_code == 409 and "cannot be turned off" in refused.json()["detail"]


def test_the_console_sends_such_an_admin_to_the_set_up_page(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    web_sign_in(client, market.brand_admin_email)
    saved = post_form(client, "/brand/staff/sign-in-rules", {"admins_need_second_factor": "yes"})

    console = client.get("/brand/programs", follow_redirects=False)
    page = client.get("/account/security?required=1")
    started = post_form(client, "/account/security/totp")
    setup_page = client.get("/account/security")
    secret = setup_page.text.split('id="totp-secret" class="key" type="text" readonly value="')[1]
    secret = secret.split('"')[0]
    confirmed = post_form(client, "/account/security/totp/confirm", {"code": code(secret)})
    after = client.get("/brand/programs", follow_redirects=False)

    assert saved.status_code == 303
    assert console.status_code == 303
    assert console.headers["location"] == "/account/security?required=1"
    assert (
        page.status_code == 200 and "asks its admins to sign in with a second factor" in page.text
    )
    assert started.status_code == 303 and "otpauth://totp/" in setup_page.text
    assert setup_page.headers["Cache-Control"] == "no-store"
    assert confirmed.status_code == 200 and "Your recovery codes" in confirmed.text
    assert confirmed.text.count("<li><code>") == 10
    assert after.status_code == 200


def test_the_web_sign_in_asks_for_the_code_after_the_password(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    secret, recovery = turn_on_app(client, market.brand_admin)
    assert login(client, market.brand_admin_email)[0] == 401

    first = post_form(client, "/login", {"email": market.brand_admin_email, "password": PASSWORD})
    challenge = first.text.split('name="challenge" value="')[1].split('"')[0]
    assert first.status_code == 200 and "gigcx_session" not in client.cookies
    wrong = post_form(client, "/login/code", {"challenge": challenge, "code": "000000"})
    done = post_form(client, "/login/code", {"challenge": challenge, "code": recovery[0]})
    reused = post_form(client, "/login/code", {"challenge": challenge, "code": recovery[1]})

    assert 'autocomplete="one-time-code"' in first.text
    assert wrong.status_code == 401 and "code is wrong" in wrong.text
    assert done.status_code == 303 and done.headers["location"] == "/brand"
    assert "gigcx_session" in client.cookies
    assert reused.status_code == 400 and "sign in again" in reused.text
    assert secret
