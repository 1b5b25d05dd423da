"""Exports, erasures, legal holds and retention through the JSON API."""

import io
import json
import uuid
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.jobs.models import Job
from gigcx.rights.models import LegalHold, PrivacyRequest
from gigcx.tickets.models import Customer
from tests.api.helpers import Marketplace, build_marketplace, ticket_body
from tests.rights.helpers import run_privacy_jobs


def new_ticket(client: TestClient, market: Marketplace, email: str, name: str) -> str:
    body = ticket_body(market, customer={"email": email, "name": name}, subject="Refund for Ana")
    response = client.post("/api/v1/tickets", json=body, headers=market.api_key)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def requests_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PrivacyRequest)) or 0


def test_a_brand_admin_exports_a_customer_and_downloads_the_zip(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    ticket_id = new_ticket(client, market, "ana.silva@example.com", "Ana Silva")

    made = client.post(
        "/api/v1/privacy/exports",
        json={"email": "Ana.Silva@example.com"},
        headers=market.brand_admin,
    )
    assert made.status_code == 202, made.text
    assert made.json()["status"] == "queued" and made.json()["download_url"] is None
    early = client.get(
        f"/api/v1/privacy/exports/{made.json()['id']}/download", headers=market.brand_admin
    )
    assert early.status_code == 409 and "still being made" in early.json()["detail"]
    assert run_privacy_jobs(session) == 1
    status = client.get(f"/api/v1/privacy/exports/{made.json()['id']}", headers=market.api_key)
    zipped = client.get(status.json()["download_url"], headers=market.brand_admin)

    assert status.json()["status"] == "done"
    assert zipped.status_code == 200
    assert zipped.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(zipped.content))
    customer = json.loads(archive.read("customer.json"))
    tickets = json.loads(archive.read("tickets.json"))
    assert customer["email"] == "ana.silva@example.com" and customer["name"] == "Ana Silva"
    assert [t["id"] for t in tickets] == [ticket_id]
    assert tickets[0]["messages"][0]["body"] == "I was charged twice for order 1234."
    assert "README.txt" in archive.namelist()


def test_an_erasure_anonymises_the_customer_and_a_hold_refuses_it_first(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    ticket_id = new_ticket(client, market, "bo.lund@example.com", "Bo Lund")
    hold = client.post(
        "/api/v1/privacy/holds",
        json={"ticket_id": ticket_id, "reason": "Chargeback dispute 77"},
        headers=market.brand_admin,
    )
    assert hold.status_code == 201, hold.text

    refused = client.post(
        "/api/v1/privacy/erasures",
        json={"email": "bo.lund@example.com"},
        headers=market.brand_admin,
    )
    assert refused.status_code == 409
    assert f"legal hold {hold.json()['id']}" in refused.json()["detail"]
    assert "Chargeback dispute 77" in refused.json()["detail"]
    assert requests_count(session) == 0

    released = client.post(
        f"/api/v1/privacy/holds/{hold.json()['id']}/release",
        json={"reason": "Dispute settled"},
        headers=market.brand_admin,
    )
    assert released.status_code == 200 and released.json()["released_at"] is not None
    erasure = client.post(
        "/api/v1/privacy/erasures",
        json={"email": "bo.lund@example.com"},
        headers=market.brand_admin,
    )
    assert erasure.status_code == 202, erasure.text
    run_privacy_jobs(session)
    done = client.get(
        f"/api/v1/privacy/erasures/{erasure.json()['id']}", headers=market.brand_admin
    )
    assert done.json()["status"] == "done"
    assert done.json()["counts"]["tickets"] == 1
    customer = session.get(Customer, uuid.UUID(done.json()["subject_id"]))
    assert customer is not None and customer.email.endswith("@erased.invalid")
    again = client.post(
        "/api/v1/privacy/erasures",
        json={"email": "bo.lund@example.com"},
        headers=market.brand_admin,
    )
    assert again.status_code == 404


def test_requests_refuse_unknown_people_other_brands_experts_and_bad_input(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    other = build_marketplace(client, session, experts=0)
    new_ticket(client, market, "cy@example.com", "Cy Young")
    made = client.post(
        "/api/v1/privacy/exports", json={"email": "cy@example.com"}, headers=market.brand_admin
    )
    jobs_before = session.scalar(select(func.count()).select_from(Job))

    unknown = client.post(
        "/api/v1/privacy/exports", json={"email": "nobody@example.com"}, headers=market.brand_admin
    )
    theirs = client.get(f"/api/v1/privacy/exports/{made.json()['id']}", headers=other.brand_admin)
    their_zip = client.get(
        f"/api/v1/privacy/exports/{made.json()['id']}/download", headers=other.api_key
    )
    by_expert = client.post(
        "/api/v1/privacy/erasures", json={"email": "cy@example.com"}, headers=market.experts[0]
    )
    expert_reads = client.get("/api/v1/privacy/requests", headers=market.experts[0])
    expert_by_brand = client.post(
        "/api/v1/privacy/erasures",
        json={"email": market.expert_emails[0], "subject": "expert"},
        headers=market.brand_admin,
    )
    nul = client.post(
        "/api/v1/privacy/erasures",
        json={"email": "cy\u0000@example.com"},
        headers=market.brand_admin,
    )
    huge = client.post(
        "/api/v1/privacy/exports",
        json={"email": "a" * 5000 + "@example.com"},
        headers=market.brand_admin,
    )
    long_reason = client.post(
        "/api/v1/privacy/holds",
        json={"customer_email": "cy@example.com", "reason": "x" * 3000},
        headers=market.brand_admin,
    )
    both = client.post(
        "/api/v1/privacy/holds",
        json={"customer_email": "cy@example.com", "reason": "r", "ticket_id": made.json()["id"]},
        headers=market.brand_admin,
    )

    assert unknown.status_code == 404 and "no customer of this brand" in unknown.json()["detail"]
    assert theirs.status_code == 404 and their_zip.status_code == 404
    assert by_expert.status_code == 403 and expert_reads.status_code == 403
    assert expert_by_brand.status_code == 403
    assert "only a platform admin" in expert_by_brand.json()["detail"]
    assert nul.status_code == 422 and huge.status_code == 422
    assert long_reason.status_code == 422 and both.status_code == 400
    assert session.scalar(select(func.count()).select_from(Job)) == jobs_before
    assert requests_count(session) == 1
    assert session.scalar(select(func.count()).select_from(LegalHold)) == 0


def test_a_platform_admin_exports_an_expert(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)

    made = client.post(
        "/api/v1/privacy/exports",
        json={"email": market.expert_emails[0], "subject": "expert"},
        headers=market.admin,
    )
    assert made.status_code == 202, made.text
    run_privacy_jobs(session)
    zipped = client.get(
        f"/api/v1/privacy/exports/{made.json()['id']}/download", headers=market.admin
    )

    archive = zipfile.ZipFile(io.BytesIO(zipped.content))
    expert = json.loads(archive.read("expert.json"))
    assert expert["email"] == market.expert_emails[0]
    assert expert["languages"] == {"de": 3, "en": 5}
    assert json.loads(archive.read("enrollments.json"))[0]["status"] == "active"


def test_retention_policy_and_its_dry_run(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)

    empty = client.get("/api/v1/privacy/retention", headers=market.brand_admin)
    put = client.put(
        "/api/v1/privacy/retention",
        json={"closed_ticket_days": 30, "raw_content_days": 10, "audit_years": 6},
        headers=market.brand_admin,
    )
    bad = client.put(
        "/api/v1/privacy/retention", json={"closed_ticket_days": 0}, headers=market.brand_admin
    )
    report = client.get("/api/v1/privacy/retention/report", headers=market.api_key)

    assert empty.json()["closed_ticket_days"] is None and empty.json()["export_keep_days"] == 7
    assert put.status_code == 200 and put.json()["audit_years"] == 6
    assert bad.status_code == 422
    assert report.status_code == 200
    assert report.json()["is_dry_run"] is True and report.json()["tickets"] == 0
