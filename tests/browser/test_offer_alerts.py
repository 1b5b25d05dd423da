"""An expert who opted in sees new offers in the tab's title and gets a browser notification."""

import re

from playwright.sync_api import Browser, expect

from tests.browser.conftest import Site
from tests.browser.test_journey import DESKTOP, shoot, sign_in
from tests.browser.test_workspace_forms import set_presence

# Records every notification the page raises (headless Chromium shows none on screen).
RECORD_NOTIFICATIONS = """(() => {
  const Original = window.Notification;
  window.shownNotifications = [];
  function Recorded(title, options) {
    window.shownNotifications.push({title: title, body: (options || {}).body || ""});
    try { return new Original(title, options); } catch (error) { return {close() {}}; }
  }
  Object.defineProperty(Recorded, "permission", {get: () => Original.permission});
  Recorded.requestPermission = (...args) => Original.requestPermission(...args);
  window.Notification = Recorded;
})();"""
TITLE = "Offers and tickets · GigCX"


def test_an_opted_in_expert_sees_the_offer_count_and_a_notification(
    browser: Browser, site: Site
) -> None:
    ada_context = browser.new_context(viewport=DESKTOP)
    set_presence(sign_in(ada_context, site, site.expert_emails[0], "/expert"), site, "Offline")
    ada_context.close()
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(RECORD_NOTIFICATIONS)
    bo = sign_in(context, site, site.expert_emails[1], "/expert")

    # Nothing is asked of the browser before the expert opts in and presses the button.
    expect(bo.get_by_role("link", name="Turn on offer alerts")).to_be_visible()
    bo.goto(f"{site.url}/expert/profile")
    bo.get_by_label("A browser notification for each new offer").check()
    bo.get_by_label("A short sound for each new offer").check()
    bo.get_by_role("button", name="Save offer alerts").click()
    expect(bo.get_by_text("Your offer alerts are saved.")).to_be_visible()
    set_presence(bo, site, "Available")
    allow = bo.get_by_role("button", name="Allow offer notifications")
    expect(allow).to_be_visible()
    assert bo.evaluate("Notification.permission") == "default"
    context.grant_permissions(["notifications"], origin=site.url)
    allow.click()
    expect(allow).to_be_hidden()
    expect(bo).to_have_title(TITLE)

    customer = context.new_page()
    customer.goto(f"{site.url}/support/{site.brand_slug}/{site.program_slug}")
    customer.get_by_label("Your name").fill("Elsa Berg")
    customer.get_by_label("Your email").fill("elsa.berg@example.com")
    customer.get_by_label("Topic").select_option("orders")
    customer.get_by_label("Your message").fill("My lantern came without batteries. Order 3310.")
    customer.get_by_role("button", name="Send").click()
    customer.wait_for_url(re.compile(r".*/c/[0-9a-f-]+\.[0-9a-f]+$"))
    customer.close()

    offer = bo.locator("#offers article.offer", has_text="My lantern came without batteries")
    expect(offer).to_be_visible()
    expect(bo).to_have_title(f"(1) {TITLE}")
    shown = bo.evaluate("window.shownNotifications")
    assert len(shown) == 1
    assert shown[0]["title"] == "New offer on GigCX"
    assert "Gear help" in shown[0]["body"] and "Pays 3.50 USD" in shown[0]["body"]
    assert "Elsa" not in shown[0]["body"] and "elsa.berg" not in shown[0]["body"]
    shoot(bo, "expert-offer-alert")

    # Once the offer is taken and the work done, the title is plain again.
    offer.get_by_role("button", name="Accept").click()
    bo.wait_for_url(re.compile(r".*/expert/tickets/[0-9a-f-]+$"))
    expect(bo.get_by_role("heading", name="Feedback to the brand")).to_be_visible()
    bo.get_by_label("Message").fill("Batteries are on their way, Elsa.")
    bo.get_by_role("button", name="Send").click()
    bo.get_by_role("button", name="Resolve").click()
    bo.wait_for_url(f"{site.url}/expert")
    expect(bo).to_have_title(TITLE)
    set_presence(bo, site, "Offline")
    bo.goto(f"{site.url}/expert/profile")
    bo.get_by_label("A browser notification for each new offer").uncheck()
    bo.get_by_label("A short sound for each new offer").uncheck()
    bo.get_by_role("button", name="Save offer alerts").click()
    expect(bo.get_by_text("Your offer alerts are saved.")).to_be_visible()
    context.close()
