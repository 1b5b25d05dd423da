"""Stored XSS: markup written into every text field customers, experts and brand staff can fill
comes back escaped on every page that shows it, for every kind of viewer.

The pages are found by walking the application's GET routes (ids filled from the world), so a
new page is probed the day it is added.
"""

import uuid
from email.message import EmailMessage
from email.utils import formataddr

from fastapi import routing
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gigcx.web.deps import SESSION_COOKIE
from tests.channels.mail_helpers import add_mailbox
from tests.security.world import BrandWorld, build_brand
from tests.web.helpers import post_form

PAYLOAD = '<script>window.__xss=1</script>"><img src=x onerror=alert(1)>'
RAW = ("<script>window.__xss", "<img src=x")
ESCAPED = "&lt;script&gt;window.__xss=1&lt;/script&gt;"
# Server-sent event streams never end; their HTML fragments are the pages' own partials.
ENDLESS = ("/stream",)


def page_paths(client: TestClient, ids: dict[str, str]) -> list[str]:
    """Every web page's path (not the API, not files), with brand A's ids filled in."""
    paths = []
    for route in routing.iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        path = route.path or ""
        methods = route.methods or set()
        if "GET" not in methods or path.startswith(("/api/", "/static")):
            continue
        if path.endswith(ENDLESS) or "{path" in path:
            continue
        for name in [part.split("}")[0] for part in path.split("{")[1:]]:
            path = path.replace("{" + name + "}", ids.get(name, str(uuid.uuid4())))
        paths.append(path)
    return paths


def mail_in(client: TestClient, session: Session, world: BrandWorld) -> str:
    """A customer's mail whose sender name, subject, text and HTML parts all carry the markup;
    the ticket it opened."""
    mailbox = add_mailbox(session, world.market)
    mail = EmailMessage()
    mail["From"] = formataddr((PAYLOAD, "erin@example.com"))
    mail["To"] = mailbox.address
    mail["Subject"] = PAYLOAD
    mail["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    mail.set_content(PAYLOAD)
    mail.add_alternative(f"<html><body><p>Hello</p>{PAYLOAD}</body></html>", subtype="html")
    response = client.post(
        "/api/v1/inbound/email",
        content=mail.as_bytes(),
        headers={**world.market.api_key, "Content-Type": "message/rfc822"},
    )
    assert response.status_code == 202, response.text
    assert response.json()["outcome"] == "new_ticket", response.text
    return str(response.json()["ticket_id"])


def write_everywhere(client: TestClient, world: BrandWorld) -> None:
    """Fill what build_brand leaves plain: the program, an expert's profile, a customer's
    reply through their private link and a message through the contact form."""
    market = world.market
    reply = post_form(client, f"/c/{world.link_token}/reply", {"body": PAYLOAD})
    assert reply.status_code == 303, reply.text
    renamed = client.patch(
        f"/api/v1/programs/{market.program_id}",
        json={"name": PAYLOAD, "description": PAYLOAD},
        headers=market.brand_admin,
    )
    assert renamed.status_code == 200, renamed.text
    profile = client.patch(
        "/api/v1/experts/me", json={"display_name": PAYLOAD}, headers=market.experts[1]
    )
    assert profile.status_code == 200, profile.text
    program = client.get(f"/api/v1/programs/{market.program_id}", headers=market.brand_admin)
    brands = client.get("/api/v1/brands", headers=market.brand_admin).json()["items"]
    slugs = (brands[0]["slug"], program.json()["slug"])
    contact = post_form(
        client,
        f"/support/{slugs[0]}/{slugs[1]}",
        {
            "name": PAYLOAD,
            "email": "dora@example.com",
            "language": "en",
            "category": "billing",
            "body": PAYLOAD,
        },
    )
    assert contact.status_code == 303, contact.text


def test_markup_in_every_text_field_is_escaped_on_every_page(
    client: TestClient, session: Session
) -> None:
    world = build_brand(client, session, text=PAYLOAD)
    write_everywhere(client, world)
    mail_ticket = mail_in(client, session, world)
    market = world.market
    viewers = {
        "brand admin": market.brand_admin,
        "in-house agent": world.agent,
        "the expert on the ticket": market.experts[1],
        "another expert of the program": market.experts[0],
        "platform admin": market.admin,
        "customer": {},
    }
    paths = [
        *page_paths(client, world.ids),
        f"/brand/tickets/{mail_ticket}",
        f"/chat/frame?key={world.widget_key}",
    ]
    raw_pages = []
    shown_on = set()
    for viewer, headers in viewers.items():
        client.cookies.clear()
        if headers:
            client.cookies.set(SESSION_COOKIE, headers["Authorization"].removeprefix("Bearer "))
        for path in paths:
            response = client.get(path, follow_redirects=False)
            assert response.status_code < 500, f"{path} as {viewer}: {response.status_code}"
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            if any(raw in response.text for raw in RAW):
                raw_pages.append(f"{path} as {viewer}")
            if ESCAPED in response.text:
                shown_on.add(path.replace(world.ids["ticket_id"], "{ticket_id}"))
    client.cookies.clear()

    assert raw_pages == []
    # The probe reached the pages that show what customers, experts and staff wrote.
    assert {
        f"/c/{world.link_token}".replace(world.ids["ticket_id"], "{ticket_id}"),
        "/expert/tickets/{ticket_id}",
        "/brand/tickets/{ticket_id}",
        f"/brand/tickets/{mail_ticket}",
        "/brand/tickets",
        "/brand/answers",
        "/brand/feedback",
        "/brand/announcements",
        "/brand/staff",
        "/brand/api-keys",
        "/brand/webhooks",
        "/expert/announcements",
        "/brand/chat",
    } <= shown_on, sorted(shown_on)
