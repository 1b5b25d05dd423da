from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.audit.models import AuditEvent
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import User
from gigcx.experts.models import Expert
from tests.api.helpers import PASSWORD, sign_in


def sign_up_body(email: str, password: str) -> dict[str, Any]:
    return {
        "email": email,
        "password": password,
        "display_name": "Ines",
        "country": "PT",
        "timezone": "Europe/Lisbon",
        "languages": {"pt": 5},
    }


def test_sign_up_answers_alike_whether_or_not_the_email_is_registered(
    client: TestClient, session: Session
) -> None:
    staff = auth_service.create_user(
        session, email="agent@brand.example.com", password=PASSWORD, role=Role.PLATFORM_ADMIN
    )
    session.commit()
    first = client.post("/api/v1/experts", json=sign_up_body("ines@example.com", PASSWORD))

    again = client.post("/api/v1/experts", json=sign_up_body("INES@example.com", "other secret"))
    staff_email = client.post(
        "/api/v1/experts", json=sign_up_body("agent@brand.example.com", "other secret")
    )

    assert first.status_code == again.status_code == staff_email.status_code == 202
    assert first.json() == again.json() == staff_email.json()
    assert first.json()["detail"].startswith("Thank you. If this email is new")
    assert session.scalar(select(func.count()).select_from(Expert)) == 1
    assert session.scalar(select(func.count()).select_from(User)) == 2
    # Nothing changed for the registered emails: their own passwords still sign in.
    sign_in(client, "ines@example.com", PASSWORD)
    sign_in(client, "agent@brand.example.com", PASSWORD)
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": "ines@example.com", "password": "other secret"}
        ).status_code
        == 401
    )
    notices = session.scalars(
        select(AuditEvent.subject_id).where(AuditEvent.action == "auth.sign_up_with_existing_email")
    ).all()
    ines = session.scalars(select(User.id).where(User.email == "ines@example.com")).one()
    assert sorted(map(str, notices)) == sorted([str(ines), str(staff.id)])


def test_signing_up_needs_only_a_name_an_email_and_a_password(
    client: TestClient, session: Session
) -> None:
    body = {"email": "nadia@example.com", "password": PASSWORD, "display_name": "Nadia"}

    created = client.post("/api/v1/experts", json=body)
    nameless = client.post("/api/v1/experts", json={"email": "x@example.com", "password": PASSWORD})
    me = client.get("/api/v1/experts/me", headers=sign_in(client, "nadia@example.com"))

    assert created.status_code == 202
    assert (me.status_code, me.json()["display_name"], me.json()["country"]) == (200, "Nadia", "")
    assert (me.json()["timezone"], me.json()["languages"], me.json()["skills"]) == ("UTC", {}, {})
    assert me.json()["capacity"] == {"chat": 2}
    assert nameless.status_code == 422
    assert [problem["loc"] for problem in nameless.json()["detail"]] == [["body", "display_name"]]
    assert session.scalar(select(func.count()).select_from(Expert)) == 1
