"""The main pages at phone and desktop width: they render, fit the screen, and are photographed."""

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import Site
from tests.browser.test_journey import DESKTOP, PHONE, shoot, sign_in

WIDTHS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]

EXPERT_PAGES = {
    "/expert": "Hello, Bo Okafor",
    "/expert/programs": "Programs",
    "/expert/profile": "Your profile",
    "/expert/earnings": "Earnings",
    "/expert/performance": "performance",
}
BRAND_PAGES = {
    "/brand": "Dashboard",
    "/brand/queue": "Live queue",
    "/brand/tickets": "Tickets",
    "/brand/inhouse": "In-house queue",
    "/brand/programs": "Programs",
    "/brand/experts": "Experts",
    "/brand/api-keys": "API keys",
    "/brand/chat": "Live chat",
    "/brand/staff": "Staff",
}


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-") or "landing"


def check_fits(page: Page, viewport: ViewportSize) -> None:
    """Nothing makes the page scroll sideways (wide tables scroll inside their own box)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width == viewport["width"], f"{page.url} is {width}px wide"


@pytest.mark.parametrize("viewport", WIDTHS)
def test_public_pages(browser: Browser, site: Site, viewport: ViewportSize) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    for path in (
        "/",
        "/login",
        f"/support/{site.brand_slug}/{site.program_slug}",
        "/expert/signup",
    ):
        page.goto(f"{site.url}{path}")
        expect(page.locator("h1")).to_be_visible()
        check_fits(page, viewport)
        shoot(page, "public-" + _name(path))
    context.close()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_expert_pages(browser: Browser, site: Site, viewport: ViewportSize) -> None:
    context = browser.new_context(viewport=viewport)
    page = sign_in(context, site, site.expert_emails[1], "/expert")
    for path, heading in EXPERT_PAGES.items():
        page.goto(f"{site.url}{path}")
        expect(page.locator("h1").first).to_contain_text(heading, ignore_case=True)
        check_fits(page, viewport)
        shoot(page, _name(path))
    context.close()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_brand_pages(browser: Browser, site: Site, viewport: ViewportSize) -> None:
    context = browser.new_context(viewport=viewport)
    page = sign_in(context, site, site.brand_admin_email, "/brand")
    paths = {**BRAND_PAGES, f"/brand/programs/{site.program_id}": "Gear help"}
    for path, heading in paths.items():
        page.goto(f"{site.url}{path}")
        expect(page.locator("h1").first).to_contain_text(heading, ignore_case=True)
        check_fits(page, viewport)
        shoot(page, "brand-program" if site.program_id in path else _name(path))
    context.close()
