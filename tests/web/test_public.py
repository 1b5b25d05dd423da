from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.helpers import PASSWORD, build_marketplace
from tests.web.helpers import csrf_of


def test_landing_links_every_open_program(client: TestClient, session: Session) -> None:
    build_marketplace(client, session, experts=0)

    page = client.get("/")

    assert page.status_code == 200
    assert "Customer care" in page.text
    assert page.headers["content-type"].startswith("text/html")


def test_sign_in_sets_an_http_only_lax_cookie_and_lands_by_role(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    assert market.expert_emails
    client.get("/login")

    response = client.post(
        "/login",
        data={
            "email": market.expert_emails[0],
            "password": PASSWORD,
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/expert"
    cookie = response.headers["set-cookie"].lower()
    assert "gigcx_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie


def test_a_wrong_password_shows_the_form_again(client: TestClient, session: Session) -> None:
    client.get("/login")

    response = client.post(
        "/login",
        data={"email": "nobody@example.com", "password": "nope", "csrf_token": csrf_of(client)},
    )

    assert response.status_code == 401
    assert "email or password is wrong" in response.text


def test_a_form_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")

    response = client.post("/login", data={"email": "a@example.com", "password": "x"})

    assert response.status_code == 403
    assert "reload the page" in response.text


def test_pages_for_signed_in_users_send_strangers_to_sign_in(client: TestClient) -> None:
    response = client.get("/expert", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, "/login?next=/expert")


def test_every_form_carries_the_browsers_csrf_token(client: TestClient) -> None:
    page = client.get("/login")

    token = client.cookies["gigcx_csrf"]
    assert f'name="csrf_token" value="{token}"' in page.text
