"""An authenticator app as second factor: enrolling, signing in, replay, recovery codes."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit.models import AuditEvent
from gigcx.auth.models import RecoveryCode, User
from gigcx.kit import clock
from tests.auth.helpers import PASSWORD, code, login, new_account, sign_in, turn_on_app


def test_the_app_is_off_until_a_code_confirms_it(client: TestClient, session: Session) -> None:
    email = new_account(session)
    headers = sign_in(client, email)

    setup = client.post("/api/v1/auth/second-factor/setup", headers=headers).json()
    uri = urlparse(setup["otpauth_uri"])
    wrong = client.post(
        "/api/v1/auth/second-factor/confirm", json={"code": "000000"}, headers=headers
    )

    assert uri.scheme == "otpauth" and parse_qs(uri.query)["secret"] == [setup["secret"]]
    assert parse_qs(uri.query)["issuer"] == ["GigCX"]
    assert wrong.status_code == 400 and "code is wrong" in wrong.json()["detail"]
    # Not confirmed yet: the password alone still signs in.
    assert login(client, email)[0] == 200
    status = client.get("/api/v1/auth/second-factor", headers=headers).json()
    assert status["is_pending"] is True and status["is_on"] is False
    user = session.scalars(select(User).where(User.email == email)).one()
    assert user.totp_secret == setup["secret"]


def test_sign_in_asks_for_the_code_and_takes_each_code_once(
    client: TestClient, session: Session
) -> None:
    email = new_account(session)
    secret, recovery = turn_on_app(client, sign_in(client, email))

    missing_status, missing = login(client, email)
    wrong_status, wrong = login(client, email, otp="123456")
    with clock.shifted(timedelta(minutes=2)):
        current = code(secret)
        first_status, _ = login(client, email, otp=current)
        replay_status, replay = login(client, email, otp=current)

    assert len(recovery) == 10 and len(set(recovery)) == 10
    assert missing_status == 401 and "'otp'" in str(missing["detail"])
    assert wrong_status == 401 and "code is wrong" in str(wrong["detail"])
    assert first_status == 200
    assert replay_status == 401 and "already used" in str(replay["detail"])


def test_an_earlier_code_is_refused_after_a_later_one_was_used(
    client: TestClient, session: Session
) -> None:
    email = new_account(session)
    secret, _ = turn_on_app(client, sign_in(client, email))
    with clock.shifted(timedelta(minutes=2)):
        later = code(secret, steps_ahead=1)
        earlier = code(secret)
        assert login(client, email, otp=later)[0] == 200
        assert login(client, email, otp=earlier)[0] == 401


def test_a_recovery_code_signs_in_once(client: TestClient, session: Session) -> None:
    email = new_account(session)
    _, recovery = turn_on_app(client, sign_in(client, email))

    first_status, _ = login(client, email, otp=recovery[0].upper())
    again_status, _ = login(client, email, otp=recovery[0])
    other_status, _ = login(client, email, otp=recovery[1])

    assert (first_status, again_status, other_status) == (200, 401, 200)
    user = session.scalars(select(User).where(User.email == email)).one()
    stored = session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and sum(1 for c in stored if c.used_at) == 2
    assert not {c.code_hash for c in stored} & {r.replace("-", "") for r in recovery}
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == user.id)
    ).all()
    assert actions.count("auth.recovery_code_used") == 2
    assert "auth.second_factor_on" in actions and "auth.sign_in_failed" in actions


def test_turning_the_app_off_needs_the_password_and_a_code(
    client: TestClient, session: Session
) -> None:
    email = new_account(session)
    headers = sign_in(client, email)
    secret, _ = turn_on_app(client, headers)

    with clock.shifted(timedelta(minutes=2)):
        bad_password = client.post(
            "/api/v1/auth/second-factor/disable",
            json={"password": "not it", "code": code(secret)},
            headers=headers,
        )
        bad_code = client.post(
            "/api/v1/auth/second-factor/disable",
            json={"password": PASSWORD, "code": "000000"},
            headers=headers,
        )
        done = client.post(
            "/api/v1/auth/second-factor/disable",
            json={"password": PASSWORD, "code": code(secret)},
            headers=headers,
        )

    assert bad_password.status_code == 400 and bad_code.status_code == 400
    assert done.status_code == 204
    assert login(client, email)[0] == 200
    user = session.scalars(select(User).where(User.email == email)).one()
    assert user.totp_secret is None
    assert session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
