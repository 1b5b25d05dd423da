"""Build a small marketplace through the HTTP API."""

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role

Headers = dict[str, str]
PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Headers:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def program_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Customer care",
        "slug": f"care-{next(_numbers)}",
        "languages": ["en", "de"],
        "channels": ["chat"],
        "categories": [
            {"key": "billing", "name": "Billing", "required_skill_level": 2},
            {"key": "legal", "name": "Legal", "is_gig_eligible": False},
        ],
        "rates": [
            {"category_key": "billing", "complexity": c, "amount": a}
            for c, a in (("low", "2.00"), ("medium", "3.50"), ("high", "6.00"))
        ],
    }
    body.update(overrides)
    return body


@dataclass
class Marketplace:
    brand_id: str
    program_id: str
    admin: Headers
    brand_admin: Headers
    api_key: Headers
    experts: list[Headers] = field(default_factory=list)
    expert_ids: list[str] = field(default_factory=list)
    expert_emails: list[str] = field(default_factory=list)
    brand_admin_email: str = ""


def sign_up_expert(client: TestClient, **overrides: Any) -> tuple[str, str]:
    n = next(_numbers)
    body: dict[str, Any] = {
        "email": f"expert{n}@example.com",
        "password": PASSWORD,
        "display_name": f"Expert {n}",
        "country": "pt",
        "timezone": "Europe/Lisbon",
        "languages": {"en": 5, "de": 3},
        "skills": {"billing": 4},
        "capacity": {"chat": 2},
    }
    body.update(overrides)
    response = client.post("/api/v1/experts", json=body)
    assert response.status_code == 202, response.text
    me = client.get("/api/v1/experts/me", headers=sign_in(client, body["email"], body["password"]))
    assert me.status_code == 200, me.text
    return me.json()["id"], body["email"]


def build_marketplace(
    client: TestClient, session: Session, *, experts: int = 1, **program: Any
) -> Marketplace:
    """A brand with one program, an API key and ``experts`` active, available experts."""
    n = next(_numbers)
    admin_email = f"root{n}@example.com"
    auth_service.create_user(
        session, email=admin_email, password=PASSWORD, role=Role.PLATFORM_ADMIN
    )
    session.commit()
    admin = sign_in(client, admin_email)
    brand = client.post(
        "/api/v1/brands",
        json={
            "name": f"Brand {n}",
            "slug": f"market-{n}",
            "currency": "EUR",
            "admin_email": f"boss{n}@example.com",
            "admin_password": PASSWORD,
        },
        headers=admin,
    )
    assert brand.status_code == 201, brand.text
    brand_admin = sign_in(client, f"boss{n}@example.com")
    created = client.post("/api/v1/programs", json=program_body(**program), headers=brand_admin)
    assert created.status_code == 201, created.text
    key = client.post("/api/v1/api-keys", json={"name": "intake"}, headers=brand_admin)
    market = Marketplace(
        brand_id=brand.json()["id"],
        program_id=created.json()["id"],
        admin=admin,
        brand_admin=brand_admin,
        api_key={"Authorization": f"Bearer {key.json()['key']}"},
        brand_admin_email=f"boss{n}@example.com",
    )
    for _ in range(experts):
        expert_id, email = sign_up_expert(client)
        headers = sign_in(client, email)
        enrollment = client.post(
            f"/api/v1/programs/{market.program_id}/enrollments", headers=headers
        )
        approved = client.patch(
            f"/api/v1/enrollments/{enrollment.json()['id']}",
            json={"status": "active"},
            headers=brand_admin,
        )
        assert approved.status_code == 200, approved.text
        available = client.put(
            "/api/v1/experts/me/presence", json={"presence": "available"}, headers=headers
        )
        assert available.status_code == 200, available.text
        market.experts.append(headers)
        market.expert_ids.append(expert_id)
        market.expert_emails.append(email)
    return market


def ticket_body(market: Marketplace, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "program_id": market.program_id,
        "customer": {"email": "carla@example.com", "name": "Carla Mendes"},
        "language": "en",
        "category": "billing",
        "body": "I was charged twice for order 1234.",
    }
    body.update(overrides)
    return body


def new_key() -> str:
    return uuid.uuid4().hex
