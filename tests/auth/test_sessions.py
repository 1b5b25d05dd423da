"""Signing out everywhere, by hand and when the authenticator app is turned on."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit.models import AuditEvent
from gigcx.auth.models import User
from tests.auth.helpers import new_account, sign_in, turn_on_app
from tests.web.helpers import post_form, web_sign_in


def test_sign_out_everywhere_revokes_every_token_of_the_user_only(
    client: TestClient, session: Session
) -> None:
    email = new_account(session)
    other_email = new_account(session)
    phone, laptop, other = (
        sign_in(client, email),
        sign_in(client, email),
        sign_in(client, other_email),
    )
    web_sign_in(client, email)

    done = client.post("/api/v1/auth/sign-out-everywhere", headers=phone)

    assert done.status_code == 204
    assert client.get("/api/v1/auth/me", headers=phone).status_code == 401
    assert client.get("/api/v1/auth/me", headers=laptop).status_code == 401
    assert client.get("/api/v1/auth/me", headers=other).status_code == 200
    # The browser's session was a token of the same user: it ended too.
    assert client.get("/account/security", follow_redirects=False).status_code == 303
    user = session.scalars(select(User).where(User.email == email)).one()
    assert (
        "auth.signed_out_everywhere"
        in session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == user.id)).all()
    )


def test_the_account_page_button_signs_out_everywhere(client: TestClient, session: Session) -> None:
    email = new_account(session)
    api = sign_in(client, email)
    web_sign_in(client, email)
    assert client.get("/account/security").status_code == 200

    done = post_form(client, "/account/sign-out-everywhere")

    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert client.get("/api/v1/auth/me", headers=api).status_code == 401


def test_turning_the_app_on_ends_the_other_sessions(client: TestClient, session: Session) -> None:
    email = new_account(session)
    current, other = sign_in(client, email), sign_in(client, email)

    turn_on_app(client, current)

    assert client.get("/api/v1/auth/me", headers=current).status_code == 200
    assert client.get("/api/v1/auth/me", headers=other).status_code == 401


def test_changing_the_password_ends_the_other_sessions(
    client: TestClient, session: Session
) -> None:
    email = new_account(session)
    current, other = sign_in(client, email), sign_in(client, email)

    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": "correct horse battery", "new_password": "another long one"},
        headers=current,
    )

    assert changed.status_code == 204
    assert client.get("/api/v1/auth/me", headers=current).status_code == 200
    assert client.get("/api/v1/auth/me", headers=other).status_code == 401
