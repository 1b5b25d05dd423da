"""Everyone can choose a new password through a mailed single-use link, or change it signed in."""

import html
import re
from datetime import timedelta
from email.message import EmailMessage

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.audit.models import AuditEvent
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import PasswordResetRequest, PasswordResetToken, User
from gigcx.channels import accounts
from gigcx.channels.email.models import OutboundEmail
from gigcx.config import get_settings
from gigcx.kit import clock
from gigcx.kit.ids import sha256_hex
from tests.api.helpers import PASSWORD, sign_in, sign_up_expert
from tests.factories.tickets import run_jobs
from tests.servers.smtp import SmtpServer
from tests.web.helpers import post_form, web_sign_in

NEW_PASSWORD = "a brand new password"
LINK = re.compile(r"http://testserver/password-reset/confirm\?token=([A-Za-z0-9_\-]+)")


def mailed_token(message: EmailMessage) -> str:
    found = LINK.search(message.get_content())
    assert found is not None, message.get_content()
    return found.group(1)


def test_an_expert_resets_a_forgotten_password_through_the_mailed_link(
    client: TestClient, session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    _, email = sign_up_expert(client)
    old_token = sign_in(client, email)
    form = client.get("/password-reset")

    asked = post_form(client, "/password-reset", {"email": email.upper()})
    run_jobs(factory)
    [mail] = smtp_server.received.to(email)
    token = mailed_token(mail)
    page = client.get(f"/password-reset/confirm?token={token}")
    done = post_form(client, "/password-reset/confirm", {"token": token, "password": NEW_PASSWORD})
    login_page = client.get(done.headers["location"])
    again = post_form(
        client, "/password-reset/confirm", {"token": token, "password": "another one!"}
    )

    assert form.status_code == 200
    assert asked.status_code == 200
    assert accounts.RESET_REQUESTED in asked.text
    assert mail["From"] == get_settings().mail_from
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Subject"] == "Reset your GigCX password"
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert f'name="token" value="{token}"' in page.text
    assert (done.status_code, done.headers["location"]) == (303, "/login?password_reset=1")
    assert "Your new password is set and every earlier session has ended." in login_page.text
    assert again.status_code == 400
    assert (
        "this password reset link is not valid: it was already used"
        in html.unescape(again.text).lower()
    )
    assert client.get("/api/v1/auth/me", headers=old_token).status_code == 401
    assert sign_in(client, email, NEW_PASSWORD)
    refused = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert refused.status_code == 401
    stored = session.scalars(select(PasswordResetToken)).one()
    assert stored.token_hash == sha256_hex(token)
    assert token not in stored.token_hash
    user = session.scalars(select(User).where(User.email == email)).one()
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == user.id).order_by(AuditEvent.id)
    ).all()
    password_actions = sorted(a for a in actions if a.startswith("auth.password"))
    assert password_actions == ["auth.password_reset", "auth.password_reset_requested"]
    assert "auth.sign_in_failed" in actions and "auth.signed_in" in actions


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client: TestClient, session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    asked = post_form(client, "/password-reset", {"email": "nobody@example.com"})
    api = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.com"})
    run_jobs(factory)

    assert asked.status_code == 200
    assert accounts.RESET_REQUESTED in asked.text
    assert (api.status_code, api.json()) == (202, {"detail": accounts.RESET_REQUESTED})
    assert smtp_server.received.messages == []
    assert session.scalars(select(PasswordResetToken)).all() == []
    assert session.scalars(select(OutboundEmail)).all() == []
    assert len(session.scalars(select(PasswordResetRequest)).all()) == 2


def test_a_forged_or_expired_link_is_refused_plainly(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    auth_service.create_user(
        session, email="root@platform.example", password=PASSWORD, role=Role.PLATFORM_ADMIN
    )
    session.commit()
    client.post("/api/v1/auth/password-reset", json={"email": "root@platform.example"})
    [mail] = [
        m for m in session.scalars(select(OutboundEmail)).all() if m.kind == accounts.RESET_KIND
    ]
    found = LINK.search(mail.text_body)
    assert found is not None
    token = found.group(1)

    forged = client.get("/password-reset/confirm?token=not-a-token")
    with clock.shifted(timedelta(hours=1, minutes=1)):
        expired_page = client.get(f"/password-reset/confirm?token={token}")
        expired_api = client.post(
            "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
        )
    short = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": "short"}
    )
    short_web = post_form(client, "/password-reset/confirm", {"token": token, "password": "short"})
    ok = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )

    assert forged.status_code == 400
    assert "Ask for a new link" in forged.text
    assert expired_page.status_code == 400
    assert expired_api.status_code == 400
    assert "it is more than an hour old" in expired_api.json()["detail"]
    assert short.status_code == 422
    assert short_web.status_code == 400
    assert "Choose a password of 8 to 200 characters." in short_web.text
    assert ok.status_code == 204
    assert sign_in(client, "root@platform.example", NEW_PASSWORD)


def test_requests_are_limited_per_address_and_per_ip_alike_for_unknown_addresses(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    web_answers = [
        post_form(client, "/password-reset", {"email": "ana@example.com"}).status_code
        for _ in range(4)
    ]
    limited = post_form(client, "/password-reset", {"email": "ana@example.com"})
    api_answers = [
        client.post("/api/v1/auth/password-reset", json={"email": f"bo{n}@example.com"}).status_code
        for n in range(7)
    ]
    per_ip = client.post("/api/v1/auth/password-reset", json={"email": "cy@example.com"})

    assert web_answers == [200, 200, 200, 429]
    assert "for this address; try again in 60 minutes." in limited.text
    assert api_answers == [202] * 7
    assert per_ip.status_code == 429
    assert per_ip.json()["detail"].endswith("try again in 60 minutes")
    assert len(session.scalars(select(PasswordResetRequest)).all()) == 10


def test_staff_change_their_password_and_their_other_sessions_end(
    client: TestClient, session: Session
) -> None:
    auth_service.create_user(
        session,
        email="ana@example.com",
        password=PASSWORD,
        role=Role.PLATFORM_ADMIN,
    )
    session.commit()
    other_device = sign_in(client, "ana@example.com")
    web_sign_in(client, "ana@example.com")

    form = client.get("/account/password")
    wrong = post_form(
        client,
        "/account/password",
        {"current_password": "not it", "new_password": NEW_PASSWORD},
    )
    changed = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    still_here = client.get("/account/password")

    assert form.status_code == 200
    assert wrong.status_code == 400
    assert "The current password is wrong; type it again." in wrong.text
    assert changed.status_code == 200
    assert "Your password is changed. Other sessions have ended." in changed.text
    assert still_here.status_code == 200
    assert client.get("/api/v1/auth/me", headers=other_device).status_code == 401
    assert sign_in(client, "ana@example.com", NEW_PASSWORD)


def test_the_api_changes_a_password_and_keeps_the_token_it_was_asked_with(
    client: TestClient,
) -> None:
    _, email = sign_up_expert(client)
    first = sign_in(client, email)
    second = sign_in(client, email)

    wrong = client.post(
        "/api/v1/auth/password",
        json={"current_password": "nope", "new_password": NEW_PASSWORD},
        headers=first,
    )
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=first,
    )

    assert wrong.status_code == 400
    assert changed.status_code == 204
    assert client.get("/api/v1/auth/me", headers=first).status_code == 200
    assert client.get("/api/v1/auth/me", headers=second).status_code == 401


def test_a_signed_out_visitor_is_sent_to_sign_in_for_the_change_page(client: TestClient) -> None:
    page = client.get("/account/password", follow_redirects=False)

    assert (page.status_code, page.headers["location"]) == (
        303,
        "/login?next=/account/password",
    )
