"""Brand admins manage their staff, platform admins their brands, on web pages."""

import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import User
from gigcx.brands.models import Brand
from tests.api.helpers import PASSWORD, build_marketplace, sign_in
from tests.web.helpers import post_form, web_sign_in
from tests.web.test_brand_console import staff_market


def temporary_password(page: str) -> str:
    found = re.search(
        r'id="temporary-password" class="key" type="text" readonly value="([^"]+)"', page
    )
    assert found is not None
    return found.group(1)


def user_by_email(session: Session, email: str) -> User:
    session.expire_all()
    return session.scalars(select(User).where(User.email == email)).one()


def test_a_brand_admin_invites_an_agent_who_signs_in_with_the_temporary_password(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)

    invited = post_form(
        client,
        "/brand/staff",
        {"email": "Ana@Example.com", "display_name": "Ana Silva", "role": "inhouse_agent"},
    )
    password = temporary_password(invited.text)
    listing = client.get("/brand/staff")
    token = client.post(
        "/api/v1/auth/login", json={"email": "ana@example.com", "password": password}
    )

    assert invited.status_code == 201
    assert invited.headers["cache-control"] == "no-store"
    assert "Ana Silva can sign in now" in invited.text
    assert listing.status_code == 200
    assert "Ana Silva" in listing.text and password not in listing.text
    agent = user_by_email(session, "ana@example.com")
    assert (agent.role, agent.brand_id, agent.is_active) == (
        Role.INHOUSE_AGENT,
        uuid.UUID(market.brand_id),
        True,
    )
    assert token.status_code == 200


def test_an_invitation_with_a_bad_email_or_a_taken_one_is_refused_next_to_the_field(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)

    bad = post_form(
        client, "/brand/staff", {"email": "ana", "display_name": "Ana", "role": "inhouse_agent"}
    )
    taken = post_form(
        client,
        "/brand/staff",
        {"email": market.brand_admin_email, "display_name": "Ana", "role": "brand_admin"},
    )

    assert bad.status_code == 400
    assert "Enter an email address such as ana@example.com." in bad.text
    assert taken.status_code == 400
    assert "This email already has a GigCX account; invite another address." in taken.text
    assert session.scalars(select(User).where(User.display_name == "Ana")).all() == []


def test_a_brand_admin_changes_a_role_and_deactivates_staff_whose_sessions_end(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)
    agent = auth_service.create_user(
        session,
        email="agent@example.com",
        password=PASSWORD,
        role=Role.INHOUSE_AGENT,
        brand_id=uuid.UUID(market.brand_id),
    )
    session.commit()
    agent_token = sign_in(client, "agent@example.com")
    assert client.get("/api/v1/auth/me", headers=agent_token).status_code == 200

    promoted = post_form(client, f"/brand/staff/{agent.id}/role", {"role": "brand_admin"})
    role_after_promotion = user_by_email(session, "agent@example.com").role
    deactivated = post_form(client, f"/brand/staff/{agent.id}/deactivate")

    assert (promoted.status_code, deactivated.status_code) == (303, 303)
    assert role_after_promotion == Role.BRAND_ADMIN
    assert user_by_email(session, "agent@example.com").is_active is False
    assert client.get("/api/v1/auth/me", headers=agent_token).status_code == 401
    login = client.post(
        "/api/v1/auth/login", json={"email": "agent@example.com", "password": PASSWORD}
    )
    assert login.status_code == 401


def test_the_last_admin_cannot_demote_or_deactivate_themselves(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)
    me = user_by_email(session, market.brand_admin_email)

    demoted = post_form(client, f"/brand/staff/{me.id}/role", {"role": "inhouse_agent"})
    deactivated = post_form(client, f"/brand/staff/{me.id}/deactivate")

    assert (demoted.status_code, deactivated.status_code) == (409, 409)
    assert "The brand needs at least one active admin" in demoted.text
    stored = user_by_email(session, market.brand_admin_email)
    assert (stored.role, stored.is_active) == (Role.BRAND_ADMIN, True)


def test_an_admin_steps_down_once_another_admin_exists(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)
    me = user_by_email(session, market.brand_admin_email)
    auth_service.create_user(
        session,
        email="second@example.com",
        password=PASSWORD,
        role=Role.BRAND_ADMIN,
        brand_id=uuid.UUID(market.brand_id),
    )
    session.commit()

    demoted = post_form(client, f"/brand/staff/{me.id}/role", {"role": "inhouse_agent"})
    after = client.get("/brand/staff")

    assert (demoted.status_code, demoted.headers["location"]) == (303, "/brand")
    assert user_by_email(session, market.brand_admin_email).role == Role.INHOUSE_AGENT
    assert after.status_code == 403


def test_staff_of_another_brand_cannot_be_changed(client: TestClient, session: Session) -> None:
    other = build_marketplace(client, session, experts=0)
    theirs = user_by_email(session, other.brand_admin_email)
    staff_market(client, session, experts=0)

    changed = post_form(client, f"/brand/staff/{theirs.id}/deactivate")

    assert changed.status_code == 404
    assert user_by_email(session, other.brand_admin_email).is_active is True


def test_a_deactivated_member_is_listed_and_can_be_reactivated(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)
    agent = auth_service.create_user(
        session,
        email="agent@example.com",
        password=PASSWORD,
        role=Role.INHOUSE_AGENT,
        display_name="Ben Ortiz",
        brand_id=uuid.UUID(market.brand_id),
    )
    session.commit()
    post_form(client, f"/brand/staff/{agent.id}/deactivate")

    listing = client.get("/brand/staff")
    reactivated = post_form(client, f"/brand/staff/{agent.id}/reactivate")

    assert 'aria-label="Reactivate Ben Ortiz"' in listing.text
    assert reactivated.status_code == 303
    assert user_by_email(session, "agent@example.com").is_active is True


def platform_admin(client: TestClient, session: Session) -> str:
    auth_service.create_user(
        session, email="root@example.com", password=PASSWORD, role=Role.PLATFORM_ADMIN
    )
    session.commit()
    web_sign_in(client, "root@example.com")
    return "root@example.com"


def test_a_platform_admin_opens_a_brand_whose_first_admin_signs_in(
    client: TestClient, session: Session
) -> None:
    platform_admin(client, session)

    created = post_form(
        client,
        "/admin/brands",
        {"name": "Acme Shoes", "slug": "acme-shoes", "currency": "eur", "admin_email": "a@acme.io"},
    )
    password = temporary_password(created.text)
    listing = client.get("/admin/brands")
    login = client.post("/api/v1/auth/login", json={"email": "a@acme.io", "password": password})

    assert created.status_code == 201
    assert "Acme Shoes is open" in created.text
    brand = session.scalars(select(Brand).where(Brand.slug == "acme-shoes")).one()
    assert (brand.name, brand.currency) == ("Acme Shoes", "EUR")
    admin = user_by_email(session, "a@acme.io")
    assert (admin.role, admin.brand_id) == (Role.BRAND_ADMIN, brand.id)
    assert listing.status_code == 200 and "acme-shoes" in listing.text
    assert password not in listing.text
    assert login.status_code == 200


def test_a_brand_form_with_bad_fields_says_so_next_to_each_and_opens_nothing(
    client: TestClient, session: Session
) -> None:
    platform_admin(client, session)

    refused = post_form(
        client,
        "/admin/brands",
        {"name": "", "slug": "Acme Shoes", "currency": "euro", "admin_email": "nobody"},
    )

    assert refused.status_code == 400
    assert "Enter a name of 1 to 120 characters." in refused.text
    assert "Use lowercase letters, digits and single hyphens" in refused.text
    assert "Enter a three-letter currency code such as EUR or USD." in refused.text
    assert "Enter the first admin&#39;s email, such as ana@example.com." in refused.text
    assert session.scalars(select(Brand)).all() == []


def test_a_taken_slug_is_refused_and_a_brand_is_renamed(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    brand = session.get_one(Brand, uuid.UUID(market.brand_id))
    slug = brand.slug
    platform_admin(client, session)

    taken = post_form(
        client,
        "/admin/brands",
        {"name": "Copy", "slug": slug, "currency": "EUR", "admin_email": "c@copy.io"},
    )
    renamed = post_form(client, f"/admin/brands/{brand.id}/name", {"name": "Brand Renamed"})
    blank = post_form(client, f"/admin/brands/{brand.id}/name", {"name": " "})

    assert taken.status_code == 400
    assert "Another brand uses this slug; choose another." in taken.text
    assert session.scalars(select(User).where(User.email == "c@copy.io")).all() == []
    assert renamed.status_code == 303
    assert blank.status_code == 400
    session.expire_all()
    assert (brand.name, brand.slug) == ("Brand Renamed", slug)


def test_only_platform_admins_reach_the_brands_page(client: TestClient, session: Session) -> None:
    market = staff_market(client, session, experts=0)
    brand_id = market.brand_id

    page = client.get("/admin/brands")
    rename = post_form(client, f"/admin/brands/{brand_id}/name", {"name": "Mine now"})
    client.cookies.clear()
    anonymous = client.get("/admin/brands", follow_redirects=False)

    assert (page.status_code, rename.status_code) == (403, 403)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/admin/brands"
    session.expire_all()
    assert session.get_one(Brand, uuid.UUID(brand_id)).name != "Mine now"
