"""The console's search, its confirmations and which links each role sees."""

import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import ApiKey
from gigcx.web.access import NAV_LINKS
from tests.api.helpers import PASSWORD, build_marketplace
from tests.web.helpers import post_form, web_sign_in
from tests.web.test_brand_console import new_ticket, staff_market


def found_subjects(page: str) -> list[str]:
    return re.findall(r'<a href="/brand/tickets/[0-9a-f-]+">([^<]*)</a>', page)


def test_ticket_search_finds_customers_ids_and_message_text_not_only_subjects(
    client: TestClient, session: Session
) -> None:
    other = build_marketplace(client, session, experts=0)
    new_ticket(
        client,
        other,
        subject="Theirs",
        customer={"email": "zoe.quint@example.com", "name": "Zoe Quint"},
        body="My blender hums loudly.",
    )
    market = staff_market(client, session, experts=0)
    by_person = new_ticket(
        client,
        market,
        subject="Order question",
        customer={"email": "Zoe.Quint@example.com", "name": "Zoe Quint"},
    )
    by_text = new_ticket(
        client,
        market,
        subject="Noise",
        customer={"email": "ann@example.com", "name": "Ann Berg"},
        body="The BLENDER hums loudly.",
    )
    new_ticket(
        client, market, subject="Parcel", customer={"email": "bo@example.com", "name": "Bo Lund"}
    )

    email = client.get("/brand/tickets", params={"q": "zoe.QUINT@"})
    name = client.get("/brand/tickets", params={"q": "quint"})
    message = client.get("/brand/tickets", params={"q": "blender hums"})
    full_id = client.get("/brand/tickets", params={"q": by_text.upper()})
    short = uuid.UUID(by_person).hex[:8]
    short_id = client.get("/brand/tickets", params={"q": f"#{short}"})
    theirs = client.get("/brand/tickets", params={"q": "theirs"})

    assert found_subjects(email.text) == ["Order question"]
    assert found_subjects(name.text) == ["Order question"]
    assert found_subjects(message.text) == ["Noise"]
    assert found_subjects(full_id.text) == ["Noise"]
    assert found_subjects(short_id.text) == ["Order question"]
    assert f"<code>#{short}</code>" in short_id.text
    assert found_subjects(theirs.text) == []
    assert "0 tickets." in theirs.text


def test_the_api_ticket_list_searches_the_same_way_within_the_brand(
    client: TestClient, session: Session
) -> None:
    other = build_marketplace(client, session, experts=0)
    new_ticket(client, other, subject="Theirs", body="A blender question.")
    market = build_marketplace(client, session, experts=0)
    mine = new_ticket(client, market, subject="Mine", body="A BLENDER question.")
    new_ticket(client, market, subject="Parcel", body="Where is it?")

    found = client.get("/api/v1/tickets", params={"q": "blender"}, headers=market.brand_admin)
    by_short_id = client.get(
        "/api/v1/tickets", params={"q": uuid.UUID(mine).hex[:8]}, headers=market.api_key
    )

    assert found.status_code == 200
    assert [t["id"] for t in found.json()["items"]] == [mine]
    assert [t["id"] for t in by_short_id.json()["items"]] == [mine]


def test_revoking_an_api_key_asks_first_and_only_the_confirmation_revokes(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)
    key = session.scalars(select(ApiKey).where(ApiKey.brand_id == uuid.UUID(market.brand_id))).one()

    asked = post_form(client, f"/brand/api-keys/{key.id}/revoke")
    session.expire_all()
    still_works = client.get("/api/v1/programs", headers=market.api_key)
    confirmed = post_form(client, f"/brand/api-keys/{key.id}/revoke", {"confirm": "yes"})

    assert asked.status_code == 200
    assert "Revoke key \N{LEFT DOUBLE QUOTATION MARK}intake\N{RIGHT DOUBLE QUOTATION MARK}?" in (
        asked.text
    )
    assert "Apps using it stop working" in asked.text
    assert '<input type="hidden" name="confirm" value="yes">' in asked.text
    assert still_works.status_code == 200
    assert confirmed.status_code == 303
    session.expire_all()
    assert session.get_one(ApiKey, key.id).revoked_at is not None
    assert client.get("/api/v1/programs", headers=market.api_key).status_code == 401


def nav_of(page: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.S)
    assert nav is not None
    return re.findall(r'<a href="([^"]+)"', nav.group(1))


def links_per_role(client: TestClient, session: Session) -> dict[str, list[str]]:
    market = build_marketplace(client, session, experts=0)
    auth_service.create_user(
        session,
        email="agent@example.com",
        password=PASSWORD,
        role=Role.INHOUSE_AGENT,
        brand_id=uuid.UUID(market.brand_id),
    )
    session.commit()
    root = market.brand_admin_email.replace("boss", "root")
    return {"agent@example.com": [], market.brand_admin_email: [], root: []}


def test_each_role_sees_the_links_it_may_open_and_only_those(
    client: TestClient, session: Session
) -> None:
    roles = links_per_role(client, session)
    every = [link.path for link in NAV_LINKS]

    for email in roles:
        client.cookies.clear()
        web_sign_in(client, email)
        start = "/admin/brands" if email.startswith("root") else "/brand"
        roles[email] = nav_of(client.get(start).text)
        for path in every:
            answer = client.get(path)
            expected = 200 if path in roles[email] else 403
            assert (email, path, answer.status_code) == (email, path, expected)

    agent, admin, root = roles.values()
    managing = [
        "/brand/staff",
        "/brand/api-keys",
        "/brand/mailboxes",
        "/brand/webhooks",
        "/brand/chat",
        "/brand/sso",
        "/brand/privacy",
        "/brand/audit",
    ]
    assert [p for p in every if p not in agent] == [*managing, "/admin/brands", "/admin/terms"]
    assert [p for p in every if p not in admin] == ["/admin/brands", "/admin/terms"]
    assert [p for p in every if p not in root] == managing
