"""The brand console's privacy page: exports, erasures typed twice, holds and retention."""

import io
import uuid
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.rights.models import LegalHold, PrivacyRequest, RetentionPolicy
from tests.api.helpers import PASSWORD
from tests.rights.helpers import run_privacy_jobs
from tests.web.helpers import post_form, web_sign_in
from tests.web.test_brand_console import new_ticket, staff_market


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_an_admin_exports_downloads_and_erases_from_the_privacy_page(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)
    new_ticket(client, market, customer={"email": "eve@example.com", "name": "Eve Adams"})

    page = client.get("/brand/privacy")
    assert page.status_code == 200
    assert '<a href="/brand/privacy" aria-current="page">Privacy</a>' in page.text
    assert page.headers["cache-control"] == "no-store"
    exported = post_form(client, "/brand/privacy/exports", {"email": "eve@example.com"})
    assert exported.status_code == 303
    run_privacy_jobs(session)
    listed = client.get("/brand/privacy")
    [row] = session.scalars(select(PrivacyRequest)).all()
    link = f"/brand/privacy/requests/{row.id}/download"
    assert link in listed.text
    archive = zipfile.ZipFile(io.BytesIO(client.get(link).content))
    assert "customer.json" in archive.namelist()

    mistyped = post_form(
        client,
        "/brand/privacy/erasures",
        {"email": "eve@example.com", "email_again": "eva@example.com"},
    )
    assert mistyped.status_code == 400 and "Type the same email twice" in mistyped.text
    assert count(session, PrivacyRequest) == 1
    erased = post_form(
        client,
        "/brand/privacy/erasures",
        {"email": "eve@example.com", "email_again": "EVE@example.com"},
    )
    assert erased.status_code == 303
    run_privacy_jobs(session)
    after = client.get("/brand/privacy")
    assert "erasure of a customer" in after.text
    assert client.get(link).status_code == 409


def test_holds_refuse_erasure_on_the_page_and_retention_shows_a_dry_run(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)
    ticket_id = new_ticket(client, market, customer={"email": "fay@example.com", "name": "Fay Bo"})

    held = post_form(client, "/brand/privacy/holds", {"target": ticket_id, "reason": "Lawsuit 9"})
    bad_target = post_form(client, "/brand/privacy/holds", {"target": "not-an-id", "reason": "x"})
    refused = post_form(
        client,
        "/brand/privacy/erasures",
        {"email": "fay@example.com", "email_again": "fay@example.com"},
    )
    saved = post_form(
        client,
        "/brand/privacy/retention",
        {
            "closed_ticket_days": "30",
            "raw_content_days": "",
            "audit_years": "7",
            "export_keep_days": "3",
        },
    )
    bad_days = post_form(client, "/brand/privacy/retention", {"closed_ticket_days": "0"})
    report = client.get("/brand/privacy/retention")

    assert held.status_code == 303
    assert bad_target.status_code == 400 and "full id" in bad_target.text
    assert refused.status_code == 409 and "Lawsuit 9" in refused.text
    assert count(session, PrivacyRequest) == 0
    assert saved.status_code == 303 and saved.headers["location"] == "/brand/privacy/retention"
    assert bad_days.status_code == 400 and "closed_ticket_days must be from 1" in bad_days.text
    assert report.status_code == 200 and "what would go tonight" in report.text
    policy = session.scalar(select(RetentionPolicy))
    assert policy is not None and (policy.closed_ticket_days, policy.audit_years) == (30, 7)
    [hold] = session.scalars(select(LegalHold)).all()
    released = post_form(client, f"/brand/privacy/holds/{hold.id}/release", {"reason": "Settled"})
    assert released.status_code == 303
    session.refresh(hold)
    assert hold.released_at is not None and hold.release_reason == "Settled"


def test_in_house_agents_cannot_open_the_privacy_page(client: TestClient, session: Session) -> None:
    market = staff_market(client, session, experts=0)
    auth_service.create_user(
        session,
        email="agent-privacy@example.com",
        password=PASSWORD,
        role=Role.INHOUSE_AGENT,
        brand_id=uuid.UUID(market.brand_id),
    )
    session.commit()
    client.cookies.clear()
    web_sign_in(client, "agent-privacy@example.com")

    page = client.get("/brand/privacy")
    posted = post_form(client, "/brand/privacy/exports", {"email": "x@example.com"})

    assert page.status_code == 403 and posted.status_code == 403
    assert count(session, PrivacyRequest) == 0
