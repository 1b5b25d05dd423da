"""Accounts with and without an authenticator app, for the sign-in tests."""

import itertools
from datetime import timedelta

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.kit import clock
from tests.api.helpers import PASSWORD, Headers, sign_in

_numbers = itertools.count(1)


def new_account(session: Session, role: Role = Role.PLATFORM_ADMIN) -> str:
    email = f"person{next(_numbers)}@example.com"
    auth_service.create_user(session, email=email, password=PASSWORD, role=role)
    session.commit()
    return email


def code(secret: str, *, steps_ahead: int = 0) -> str:
    """The app's code for now (or a later 30-second step)."""
    return pyotp.TOTP(secret).at(clock.now() + timedelta(seconds=30 * steps_ahead))


def turn_on_app(client: TestClient, headers: Headers) -> tuple[str, list[str]]:
    """Set up and confirm an authenticator app; return its secret and the recovery codes."""
    setup = client.post("/api/v1/auth/second-factor/setup", headers=headers)
    assert setup.status_code == 201, setup.text
    secret = setup.json()["secret"]
    confirmed = client.post(
        "/api/v1/auth/second-factor/confirm", json={"code": code(secret)}, headers=headers
    )
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["recovery_codes"]


def login(
    client: TestClient, email: str, password: str = PASSWORD, **extra: str
) -> tuple[int, dict[str, object]]:
    response = client.post(
        "/api/v1/auth/login", json={"email": email, "password": password, **extra}
    )
    return response.status_code, response.json()


__all__ = ["PASSWORD", "code", "login", "new_account", "sign_in", "turn_on_app"]
