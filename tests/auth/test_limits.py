"""Rate limits on sign-in, the contact form and the limiter itself across sessions."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from gigcx.auth import limits, passwords
from gigcx.auth.models import Attempt
from gigcx.kit import clock
from tests.api.helpers import build_marketplace
from tests.auth.helpers import PASSWORD, login, new_account
from tests.web.helpers import csrf_of, post_form
from tests.web.test_customer_pages import path_of

TRY_AGAIN = re.compile(r"^Too many attempts\. Try again in (\d+) minutes?\.$")


def test_an_account_is_locked_after_five_failures_for_a_while_not_for_good(
    client: TestClient, session: Session
) -> None:
    email = new_account(session)
    for _ in range(5):
        assert (
            client.post(
                "/api/v1/auth/login", json={"email": email, "password": "wrong"}
            ).status_code
            == 401
        )

    locked = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})

    assert locked.status_code == 429
    found = TRY_AGAIN.match(locked.json()["detail"])
    assert found is not None and 1 <= int(found.group(1)) <= 15
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    with clock.shifted(timedelta(minutes=16)):
        assert login(client, email)[0] == 200


def test_the_lock_backs_off_but_ends(client: TestClient, session: Session) -> None:
    email = new_account(session)
    waits = []
    for round_ in range(3):
        with clock.shifted(timedelta(minutes=16 * round_)):
            for _ in range(5):
                client.post("/api/v1/auth/login", json={"email": email, "password": "wrong"})
            refused = client.post("/api/v1/auth/login", json={"email": email, "password": "x"})
            assert refused.status_code == 429
            waits.append(int(refused.headers["Retry-After"]))
    assert waits[0] <= 15 * 60 < waits[1]
    with clock.shifted(timedelta(hours=7)):
        assert login(client, email)[0] == 200


def test_a_password_reset_lifts_the_account_lock(client: TestClient, session: Session) -> None:
    email = new_account(session)
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"email": email, "password": "wrong"})
    assert login(client, email)[0] == 429
    issued = passwords.request_reset(session, email=email, ip_address="192.0.2.9")
    assert issued is not None
    session.commit()

    reset = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": issued.token, "password": "a new long password"},
    )

    assert reset.status_code == 204
    assert login(client, email, password="a new long password")[0] == 200


def test_a_success_does_not_reset_the_address_count_for_other_accounts(
    client: TestClient, session: Session
) -> None:
    email = new_account(session)
    for n in range(19):
        client.post("/api/v1/auth/login", json={"email": f"nobody{n}@example.com", "password": "x"})
    assert login(client, email)[0] == 200
    client.post("/api/v1/auth/login", json={"email": "nobody-last@example.com", "password": "x"})

    refused_status, refused = login(client, email)

    assert refused_status == 429 and TRY_AGAIN.match(str(refused["detail"]))


def test_the_sign_in_form_shows_the_wait_in_the_form(client: TestClient, session: Session) -> None:
    email = new_account(session)
    for _ in range(5):
        client.post(
            "/login", data={"email": email, "password": "wrong", "csrf_token": csrf_of(client)}
        )

    page = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(client)}
    )

    assert page.status_code == 429 and int(page.headers["Retry-After"]) > 0
    assert 'role="alert">Too many attempts. Try again in' in page.text
    assert "gigcx_session" not in client.cookies


def test_the_limiter_is_shared_between_sessions(engine: Engine) -> None:
    """Two units of work, as two processes would have, on the test database (PostgreSQL in CI)."""
    rule = limits.Rule("test:shared", ((2, timedelta(minutes=10)),))
    key = f"shared-{clock.now().timestamp()}"
    try:
        for _ in range(2):
            with Session(engine) as first:
                limits.limit(first, [(rule, key)])
                first.commit()
        with Session(engine) as second:
            with pytest.raises(limits.TooManyAttempts) as refused:
                limits.limit(second, [(rule, key)])
            assert refused.value.headers["Retry-After"] == str(refused.value.retry_after_seconds)
            assert 0 < refused.value.retry_after_seconds <= 600
    finally:
        with Session(engine) as cleanup:
            cleanup.execute(delete(Attempt).where(Attempt.rule == rule.name))
            cleanup.commit()


def test_the_contact_form_is_limited_per_address(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)
    path = path_of(session, market)
    form = {
        "name": "Carla Mendes",
        "email": "carla@example.com",
        "language": "en",
        "category": "billing",
        "body": "My card was charged twice.",
    }
    sent = [post_form(client, path, form).status_code for _ in range(10)]

    refused = post_form(client, path, form)

    assert sent == [303] * 10
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert 'role="alert">Too many attempts. Try again in 10 minutes.' in refused.text
    with clock.shifted(timedelta(minutes=11)):
        assert post_form(client, path, form).status_code == 303


def test_attempts_past_the_longest_window_are_deleted(session: Session) -> None:
    rule = limits.Rule("test:expiry", ((3, timedelta(minutes=5)),))
    with clock.shifted(timedelta(minutes=-10)):
        limits.count(session, [(rule, "old-a"), (rule, "old-b")])
    limits.count(session, [(rule, "new")])

    left = session.scalars(select(Attempt.created_at).where(Attempt.rule == rule.name)).all()

    assert len(left) == 1
