"""The chat widget on a brand's own site: a plain page on another origin embeds the snippet,
a visitor chats with an expert through the real server, live both ways, and a reload resumes."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.api.helpers import PASSWORD, program_body
from tests.browser.conftest import Site
from tests.browser.test_journey import DESKTOP, shoot, sign_in

BRAND_ADMIN = "boss@fjellvind.example.com"
EXPERT = "sol@experts.example.com"

# Another host than the server's 127.0.0.1: another origin and another site.
BRAND_HOST = "127.0.0.2"


class BrandSite:
    """The brand's shop: one plain HTML page that pastes the snippet, on its own server."""

    def __init__(self) -> None:
        self.snippet = ""
        site = self

        class Page(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = (
                    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                    "<title>Trailhead shop</title></head><body><h1>Trailhead shop</h1>"
                    f"<p>Tents, stoves and boots.</p>{site.snippet}</body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((BRAND_HOST, 0), Page)
        self.origin = f"http://{BRAND_HOST}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


def _login(api: httpx.Client, email: str) -> dict[str, str]:
    response = api.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _ok(response: httpx.Response, status: int) -> httpx.Response:
    assert response.status_code == status, response.text
    return response


@pytest.fixture
def chat_brand(site: Site) -> None:
    """A brand of its own (so the other browser tests' counts stay theirs), with a chat
    program and one available expert, Sol, made through the API."""
    with httpx.Client(base_url=site.url) as api:
        root = _login(api, "root@gigcx.example.com")
        brand = {
            "name": "Fjellvind Gear",
            "slug": "fjellvind",
            "currency": "EUR",
            "admin_email": BRAND_ADMIN,
            "admin_password": PASSWORD,
        }
        _ok(api.post("/api/v1/brands", json=brand, headers=root), 201)
        boss = _login(api, BRAND_ADMIN)
        program = program_body(name="Shop help", slug="shop-help", languages=["en"])
        program_id = _ok(api.post("/api/v1/programs", json=program, headers=boss), 201).json()["id"]
        expert = {
            "email": EXPERT,
            "password": PASSWORD,
            "display_name": "Sol Haugen",
            "country": "no",
            "timezone": "Europe/Oslo",
            "languages": {"en": 5},
            "skills": {"billing": 4},
            "capacity": {"chat": 2},
        }
        _ok(api.post("/api/v1/experts", json=expert), 202)
        sol = _login(api, EXPERT)
        enrollment = _ok(api.post(f"/api/v1/programs/{program_id}/enrollments", headers=sol), 201)
        approve = {"status": "active"}
        enrollment_path = f"/api/v1/enrollments/{enrollment.json()['id']}"
        _ok(api.patch(enrollment_path, json=approve, headers=boss), 200)
        presence = {"presence": "available"}
        _ok(api.put("/api/v1/experts/me/presence", json=presence, headers=sol), 200)


@pytest.fixture
def brand_site() -> Iterator[BrandSite]:
    shop = BrandSite()
    shop.thread.start()
    yield shop
    shop.server.shutdown()
    shop.server.server_close()
    shop.thread.join()


def test_a_visitor_on_the_brands_site_chats_live_with_an_expert(
    browser: Browser, site: Site, chat_brand: None, brand_site: BrandSite
) -> None:
    # The brand switches the widget on for its shop's origin and copies the snippet.
    staff_context = browser.new_context(viewport=DESKTOP)
    staff = sign_in(staff_context, site, BRAND_ADMIN, "/brand")
    staff.goto(f"{site.url}/brand/chat")
    staff.get_by_label("Widget on: the snippet shows the chat button").check()
    staff.get_by_label("Program", exact=True).select_option(label="Shop help")
    staff.get_by_label("Allowed origins").fill(brand_site.origin)
    staff.get_by_role("button", name="Save").click()
    expect(staff.get_by_role("status")).to_have_text("Saved.")
    key = staff.locator("#public-key").inner_text()
    snippet = staff.get_by_role("textbox", name="Snippet").input_value()
    assert snippet == f'<script src="{site.url}/widget.js" data-brand="{key}" async></script>'
    brand_site.snippet = snippet
    staff_context.close()

    sol_context = browser.new_context(viewport=DESKTOP)
    sol = sign_in(sol_context, site, EXPERT, "/expert")

    # A visitor opens the shop, the launcher, and the pre-chat form.
    visitor_context = browser.new_context(viewport=DESKTOP, locale="en-US")
    visitor = visitor_context.new_page()
    visitor.goto(f"{brand_site.origin}/")
    visitor.get_by_role("button", name="Chat with us").click()
    frame = visitor.frame_locator("iframe[data-gigcx-chat=frame]")
    frame.get_by_label("Your name").fill("Wren Visitor")
    frame.get_by_label("Your email").fill("wren@example.com")
    frame.get_by_label("Topic").select_option("billing")
    frame.get_by_label("Your message").fill("Do you ship the Summit tent to Tromsø?")
    frame.get_by_role("button", name="Start the chat").click()
    messages = frame.locator("#messages")
    expect(messages.locator(".message.own")).to_have_text(
        ["You" + "Do you ship the Summit tent to Tromsø?"]
    )
    expect(frame.locator("#status")).to_have_text("We're finding an expert for you.")
    shoot(visitor, "chat-widget-waiting")

    # Sol takes the offer; the visitor types and he sees it, he types and the visitor does.
    sol.locator("#offers article.offer", has_text="Summit tent").get_by_role(
        "button", name="Accept"
    ).click()
    sol.wait_for_url(f"{site.url}/expert/tickets/**")
    expect(frame.locator("#status")).to_have_text("An expert is answering you.")
    frame.get_by_label("Write a message").fill("It's for a trip in March")
    expect(sol.locator("[data-chat=typing]")).to_have_text("The customer is typing…")
    sol.get_by_label("Message").fill("Yes, we ship to Tromsø")
    expect(frame.locator("#typing")).to_have_text("Sol is typing…")

    # His answer arrives live; the widget marks it seen and he sees "Seen".
    sol.get_by_label("Message").fill("Yes, we ship the Summit tent to Tromsø within 5 days.")
    sol.get_by_role("button", name="Send").click()
    expect(messages.locator(".message.theirs .text")).to_have_text(
        ["Yes, we ship the Summit tent to Tromsø within 5 days."]
    )
    expect(sol.locator("[data-chat=seen]")).to_have_text("Seen")
    frame.get_by_role("button", name="Send").click()
    expect(messages.locator(".message.own .text")).to_have_text(
        ["Do you ship the Summit tent to Tromsø?", "It's for a trip in March"]
    )
    shoot(visitor, "chat-widget-answered")

    # A reload resumes the same conversation, in order, without the pre-chat form.
    visitor.reload()
    visitor.get_by_role("button", name="Chat with us").click()
    expect(frame.locator(".message .text")).to_have_text(
        [
            "Do you ship the Summit tent to Tromsø?",
            "Yes, we ship the Summit tent to Tromsø within 5 days.",
            "It's for a trip in March",
        ]
    )
    expect(frame.locator("#prechat")).to_be_hidden()

    sol.get_by_role("button", name="Resolve").click()
    sol.wait_for_url(f"{site.url}/expert")
    expect(frame.locator("#status")).to_have_text("Solved")
    visitor_context.close()
    sol_context.close()
