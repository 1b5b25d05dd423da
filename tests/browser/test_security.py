"""The Content-Security-Policy holds on every role's main pages, and a customer's script-bearing
message stays text in the expert's workspace."""

import re

from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.browser.conftest import Site
from tests.browser.test_journey import DESKTOP, sign_in
from tests.browser.test_screens import BRAND_PAGES, EXPERT_PAGES
from tests.browser.test_workspace_forms import set_presence

PAYLOAD = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">'


def watch_for_violations(page: Page) -> list[str]:
    """Collect what the browser reports about the page's security policy and script errors."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    return problems


def visit(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    expect(page.locator("h1, .swagger-ui, redoc").first).to_be_attached()


def test_every_roles_main_pages_report_no_policy_violation(browser: Browser, site: Site) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    problems = watch_for_violations(page)
    for path in ("/", "/login", f"/support/{site.brand_slug}/{site.program_slug}", "/docs"):
        visit(page, f"{site.url}{path}")
    page.goto(f"{site.url}/docs")
    expect(page.locator(".swagger-ui .information-container")).to_be_visible()
    page.goto(f"{site.url}/redoc")
    expect(page.locator("redoc h1").first).to_be_visible()
    context.close()

    roles = {
        site.expert_emails[1]: ["/expert", *EXPERT_PAGES],
        site.brand_admin_email: ["/brand", *BRAND_PAGES, f"/brand/programs/{site.program_id}"],
        "root@gigcx.example.com": ["/admin/brands"],
    }
    for email, paths in roles.items():
        context = browser.new_context(viewport=DESKTOP)
        page = sign_in(context, site, email, paths[0])
        problems += watch_for_violations(page)
        for path in paths:
            visit(page, f"{site.url}{path}")
        context.close()

    assert problems == []


def test_a_customers_script_stays_text_in_the_experts_workspace(
    browser: Browser, site: Site
) -> None:
    ada_context = browser.new_context(viewport=DESKTOP)
    set_presence(sign_in(ada_context, site, site.expert_emails[0], "/expert"), site, "Offline")
    ada_context.close()
    context = browser.new_context(viewport=DESKTOP)
    bo = sign_in(context, site, site.expert_emails[1], "/expert")
    problems = watch_for_violations(bo)
    set_presence(bo, site, "Available")
    customer = context.new_page()
    problems += watch_for_violations(customer)
    customer.goto(f"{site.url}/support/{site.brand_slug}/{site.program_slug}")
    customer.get_by_label("Your name").fill("Xavier Sams")
    customer.get_by_label("Your email").fill("xss@example.com")
    customer.get_by_label("Topic").select_option("orders")
    customer.get_by_label("Your message").fill(f"My order is late. {PAYLOAD}")
    customer.get_by_role("button", name="Send").click()
    customer.wait_for_url(re.compile(r".*/c/[0-9a-f-]+\.[0-9a-f]+$"))
    expect(customer.get_by_text(PAYLOAD).first).to_be_visible()
    assert customer.evaluate("window.__xss") is None

    offer = bo.locator("#offers article.offer", has_text="My order is late")
    offer.get_by_role("button", name="Accept").click()
    bo.wait_for_url(re.compile(r".*/expert/tickets/[0-9a-f-]+$"))
    expect(bo.get_by_text(PAYLOAD).first).to_be_visible()
    assert bo.evaluate("window.__xss") is None
    bo.get_by_label("Message").fill("We are on it, a new parcel ships today.")
    bo.get_by_role("button", name="Send").click()
    bo.get_by_role("button", name="Resolve").click()
    bo.wait_for_url(f"{site.url}/expert")
    context.close()

    assert problems == []
