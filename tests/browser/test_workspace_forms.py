"""Forms where a slip has consequences: a checkbox sits on its label's line, and the API docs
work with no network at all."""

import re

from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.conftest import Site
from tests.browser.test_journey import DESKTOP, PHONE, shoot, sign_in

# The box of a label's own words (not of the checkbox inside it).
LABEL_TEXT_BOX = """label => {
  const node = [...label.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
  const range = document.createRange();
  range.selectNodeContents(node);
  const box = range.getClientRects()[0];
  return {left: box.left, top: box.top, bottom: box.bottom, height: box.height};
}"""


def check_beside_its_label(page: Page, name: str) -> None:
    """The checkbox sits on the first line of its label's words, just before them, and a click
    on the words toggles it."""
    checkbox = page.locator(f"input[type=checkbox][name={name}]")
    label = page.locator("label", has=checkbox)
    checkbox.scroll_into_view_if_needed()
    box = checkbox.bounding_box()
    words = label.evaluate(LABEL_TEXT_BOX)
    assert box is not None
    middle = box["y"] + box["height"] / 2
    assert words["top"] <= middle <= words["top"] + words["height"], (name, box, words)
    assert 0 <= words["left"] - (box["x"] + box["width"]) <= 12, (name, box, words)
    expect(checkbox).not_to_be_checked()
    page.mouse.click(words["left"] + 4, words["top"] + words["height"] / 2)
    expect(checkbox).to_be_checked()
    page.mouse.click(words["left"] + 4, words["top"] + words["height"] / 2)
    expect(checkbox).not_to_be_checked()


def set_presence(page: Page, site: Site, presence: str) -> None:
    page.goto(f"{site.url}/expert")
    page.get_by_role("button", name=presence).click()
    expect(page.get_by_role("heading", name=f"Your status: {presence.lower()}")).to_be_visible()


def test_note_and_send_anyway_checkboxes_sit_by_their_labels(browser: Browser, site: Site) -> None:
    ada_context = browser.new_context(viewport=PHONE)
    set_presence(sign_in(ada_context, site, site.expert_emails[0], "/expert"), site, "Offline")
    ada_context.close()
    context = browser.new_context(viewport=PHONE)
    bo = sign_in(context, site, site.expert_emails[1], "/expert")
    set_presence(bo, site, "Available")
    customer = context.new_page()
    customer.goto(f"{site.url}/support/{site.brand_slug}/{site.program_slug}")
    customer.get_by_label("Your name").fill("Dora Lind")
    customer.get_by_label("Your email").fill("dora@example.com")
    customer.get_by_label("Topic").select_option("orders")
    customer.get_by_label("Your message").fill("Where is my stove? Order 2077 is a week late.")
    customer.get_by_role("button", name="Send").click()
    customer.wait_for_url(re.compile(r".*/c/[0-9a-f-]+\.[0-9a-f]+$"))

    offer = bo.locator("#offers article.offer", has_text="Where is my stove?")
    offer.get_by_role("button", name="Accept").click()
    bo.wait_for_url(re.compile(r".*/expert/tickets/[0-9a-f-]+$"))
    ticket_path = bo.url.removeprefix(site.url)
    check_beside_its_label(bo, "is_internal")
    bo.get_by_label("Message").fill("Returns go to returns@elsewhere.example.com, Dora.")
    bo.get_by_role("button", name="Send").click()
    expect(bo.get_by_text("Check before sending:")).to_be_visible()
    check_beside_its_label(bo, "is_internal")
    check_beside_its_label(bo, "send_anyway")
    shoot(bo, "expert-send-anyway")
    bo.get_by_role("button", name="Resolve").click()
    bo.wait_for_url(f"{site.url}/expert")
    set_presence(bo, site, "Offline")
    context.close()

    staff_context = browser.new_context(viewport=PHONE)
    staff = sign_in(staff_context, site, site.brand_admin_email, "/brand")
    staff.goto(f"{site.url}{ticket_path.replace('/expert/', '/brand/')}")
    check_beside_its_label(staff, "is_internal")
    staff.set_viewport_size(DESKTOP)
    check_beside_its_label(staff, "is_internal")
    staff_context.close()


def test_the_api_docs_render_with_no_network(browser: Browser, site: Site) -> None:
    context = browser.new_context(viewport=DESKTOP)
    elsewhere: list[str] = []

    def only_this_server(route: Route) -> None:
        if route.request.url.startswith(site.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    page.goto(f"{site.url}/docs")
    page.locator("h3.opblock-tag", has_text=re.compile(r"^tickets")).click()
    operations = page.locator(".opblock-summary-path", has_text="/api/v1/tickets")
    expect(operations.first).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^GigCX"), level=1)).to_be_visible()
    redoc = context.new_page()
    redoc.goto(f"{site.url}/redoc")
    expect(redoc.get_by_role("heading", name=re.compile(r"^GigCX"), level=1)).to_be_visible()
    expect(redoc.get_by_text("/api/v1/tickets", exact=True).first).to_be_attached()

    assert elsewhere == []
    context.close()
