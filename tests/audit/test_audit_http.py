"""What the API and the web pages audit: refusals, unmasked views, keys, grants, exports."""

import csv
import io
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditEvent
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.principal import SYSTEM
from gigcx.tickets.models import Ticket
from tests.api.helpers import PASSWORD, build_marketplace, sign_in, ticket_body
from tests.web.helpers import post_form, web_sign_in


def events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.created_at)
        )
    )


def test_a_refused_api_request_is_audited_with_who_and_what(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)

    refused = client.get("/api/v1/api-keys", headers=market.experts[0])
    allowed = client.get("/api/v1/api-keys", headers=market.brand_admin)

    assert (refused.status_code, allowed.status_code) == (403, 200)
    [event] = events(session, "auth.refused")
    assert (event.actor_role, event.subject_type, event.brand_id) == ("expert", "principal", None)
    assert event.data == {"method": "GET", "path": "/api/v1/api-keys", "status": 403}


def test_a_refused_web_page_is_audited_in_the_brands_chain(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    agent = auth_service.create_user(
        session,
        email="agent@example.com",
        password=PASSWORD,
        role=Role.INHOUSE_AGENT,
        brand_id=uuid.UUID(market.brand_id),
    )
    session.commit()
    web_sign_in(client, "agent@example.com")

    page = client.get("/brand/audit")

    assert page.status_code == 403
    [event] = events(session, "auth.refused")
    assert (event.actor_role, event.actor_id) == ("inhouse_agent", agent.id)
    assert (str(event.brand_id), event.data["path"]) == (market.brand_id, "/brand/audit")


def test_a_staff_view_of_a_ticket_is_audited_once_per_request_for_its_customer(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    ticket = session.get_one(Ticket, uuid.UUID(created.json()["id"]))
    assert events(session, "privacy.unmasked_viewed") == []  # intake shows nothing
    web_sign_in(client, market.brand_admin_email)

    page = client.get(f"/brand/tickets/{ticket.id}")

    assert page.status_code == 200
    assert "carla@example.com" in page.text
    [event] = events(session, "privacy.unmasked_viewed")
    assert (event.subject_type, event.subject_id) == ("customer", ticket.customer_id)
    assert (event.actor_role, str(event.brand_id)) == ("brand_admin", market.brand_id)
    assert event.data["ticket_ids"] == [str(ticket.id)]

    client.get(f"/api/v1/tickets/{ticket.id}", headers=market.brand_admin)

    assert len(events(session, "privacy.unmasked_viewed")) == 2


def test_an_expert_sees_nothing_unmasked_and_leaves_no_view_event(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)

    offers = client.get("/api/v1/offers", headers=market.experts[0])

    assert len(offers.json()) == 1
    assert events(session, "privacy.unmasked_viewed") == []


def test_granting_experts_unmasked_data_is_audited_and_so_are_their_views(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    granted = client.patch(
        f"/api/v1/programs/{market.program_id}/ai-settings",
        json={"granted_pii": ["email"]},
        headers=market.brand_admin,
    )
    client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)

    client.get("/api/v1/offers", headers=market.experts[0])

    assert granted.status_code == 200, granted.text
    [grant] = events(session, "privacy.masking_grant_changed")
    assert grant.data == {"from": [], "to": ["email"]}
    [view] = events(session, "privacy.unmasked_viewed")
    assert (view.actor_role, view.data["kinds"]) == ("expert", ["email"])


def test_api_keys_created_and_revoked_are_audited_without_the_key(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    created = client.post("/api/v1/api-keys", json={"name": "sync"}, headers=market.brand_admin)
    key_id = created.json()["id"]
    revoked = client.delete(f"/api/v1/api-keys/{key_id}", headers=market.brand_admin)

    assert (created.status_code, revoked.status_code) == (201, 204)
    made = [e for e in events(session, "api_key.created") if e.data["name"] == "sync"]
    assert [(str(e.subject_id), e.actor_role) for e in made] == [(key_id, "brand_admin")]
    assert created.json()["key"] not in str(made[0].data)
    [gone] = events(session, "api_key.revoked")
    assert str(gone.subject_id) == key_id


def test_the_csv_export_holds_the_brands_events_with_formulas_neutralised(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    other = build_marketplace(client, session, experts=0)
    brand_id = uuid.UUID(market.brand_id)
    for action in ('=HYPERLINK("http://evil.example")', "+1", "-1", "@SUM(A1)", "plain.event"):
        audit_service.record(
            session,
            actor=SYSTEM,
            action=action,
            subject_type="brand",
            subject_id=brand_id,
            brand_id=brand_id,
        )
    session.commit()

    answer = client.get("/api/v1/audit/events.csv", headers=market.brand_admin)

    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    # The export's own event is written before the file is read.
    assert [r["action"] for r in rows][-6:] == [
        '\'=HYPERLINK("http://evil.example")',
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "plain.event",
        "audit.exported",
    ]
    assert {r["subject_id"] for r in rows if r["subject_type"] == "brand"} == {market.brand_id}
    assert other.brand_id not in answer.text
    [exported] = events(session, "audit.exported")
    assert (str(exported.brand_id), exported.actor_role) == (market.brand_id, "brand_admin")


def test_only_brand_admins_and_keys_export_the_audit(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)

    by_expert = client.get("/api/v1/audit/events.csv", headers=market.experts[0])
    by_key = client.get("/api/v1/audit/events.csv", headers=market.api_key)
    naive = client.get("/api/v1/audit/events.csv?since=2026-01-01T00:00:00", headers=market.api_key)

    assert (by_expert.status_code, by_key.status_code, naive.status_code) == (403, 200, 400)
    assert naive.json()["detail"] == "since needs a time zone, e.g. 2026-12-01T00:00:00Z"
    assert [e.actor_role for e in events(session, "audit.exported")] == ["api_key"]


def test_the_audit_page_lists_events_with_filters_and_a_csv_link(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    web_sign_in(client, market.brand_admin_email)
    post_form(client, "/brand/api-keys", {"name": "helpdesk sync", "scope": "admin"})

    page = client.get("/brand/audit?action=api_key.&since=2020-01-01&until=2099-12-31")
    csv_file = client.get("/brand/audit/events.csv?since=2020-01-01")
    bad = client.get("/brand/audit?since=yesterday")

    assert page.status_code == 200
    assert "API key \u201chelpdesk sync\u201d created with the admin scope by" in page.text
    assert "API key \u201cintake\u201d created" in page.text
    assert "Program opened" not in page.text
    assert 'href="/brand/audit/events.csv?since=2020-01-01&amp;until=2099-12-31"' in page.text
    assert '<a href="/brand/audit">Audit log</a>' in page.text or "/brand/audit" in page.text
    assert csv_file.status_code == 200
    assert csv_file.text.splitlines()[0] == (
        "seq,created_at,actor_role,actor_id,action,subject_type,subject_id,data,chain_hash"
    )
    assert bad.status_code == 400
    assert "\u201cfrom\u201d must be a date like 2026-12-01" in bad.text


def test_a_signed_in_expert_keeps_working_while_refusals_are_written(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]

    answers = [client.get("/api/v1/api-keys", headers=expert).status_code for _ in range(3)]
    me = sign_in(client, market.expert_emails[0])

    assert answers == [403, 403, 403]
    assert client.get("/api/v1/offers", headers=me).status_code == 200
    assert len(events(session, "auth.refused")) == 3
