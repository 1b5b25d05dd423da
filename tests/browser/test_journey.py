"""The whole journey in a real browser: customer → live offer → expert → rating → dashboard."""

import re

from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.browser.conftest import PASSWORD, SCREENSHOTS, Site

PHONE = ViewportSize(width=375, height=812)
DESKTOP = ViewportSize(width=1280, height=900)


def sign_in(context: BrowserContext, site: Site, email: str, next_path: str) -> Page:
    page = context.new_page()
    page.goto(f"{site.url}/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.url}{next_path}")
    return page


def shoot(page: Page, name: str) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


def test_customer_expert_and_brand_journey(browser: Browser, site: Site) -> None:
    expert_context = browser.new_context(viewport=PHONE)
    customer_context = browser.new_context(viewport=PHONE)
    expert = sign_in(expert_context, site, site.expert_emails[0], "/expert")
    expert.get_by_role("button", name="Available").click()
    expect(expert.get_by_role("heading", name="Your status: available")).to_be_visible()
    shoot(expert, "expert-dashboard")

    customer = customer_context.new_page()
    customer.goto(f"{site.url}/support/{site.brand_slug}/{site.program_slug}")
    shoot(customer, "customer-contact")
    customer.get_by_label("Your name").fill("Carla Mendes")
    customer.get_by_label("Your email").fill("carla@example.com")
    customer.get_by_label("Topic").select_option("orders")
    customer.get_by_label("Your message").fill("My tent arrived without its poles. Order 1042.")
    customer.get_by_role("button", name="Send").click()
    customer.wait_for_url(re.compile(r".*/c/[0-9a-f-]+\.[0-9a-f]+$"))
    link = customer.url

    # The offer arrives on the expert's open page without a reload.
    offer = expert.locator("#offers article.offer")
    expect(offer).to_contain_text("My tent arrived without its poles")
    expect(offer).to_contain_text("Pays 3.50 USD")
    shoot(expert, "expert-offer")
    offer.get_by_role("button", name="Accept").click()
    expert.wait_for_url(re.compile(r".*/expert/tickets/[0-9a-f-]+$"))
    expect(expert.get_by_text("carla@example.com")).to_have_count(0)
    expert.get_by_label("Message").fill("Sorry about that, Carla! New poles ship today.")
    expert.get_by_role("button", name="Send").click()
    shoot(expert, "expert-workspace")
    ticket_url = expert.url
    expert.get_by_role("button", name="Resolve").click()
    expert.wait_for_url(f"{site.url}/expert")
    # "Save as best answer" says what happened and cannot be clicked twice.
    expert.goto(ticket_url)
    expert.get_by_role("button", name="Save as best answer").click()
    expect(expert.get_by_role("status")).to_contain_text(
        "Sent for review: the brand's team approves or rejects it"
    )
    expect(expert.get_by_role("button", name="Save as best answer")).to_have_count(0)

    customer.goto(link)
    expect(customer.get_by_text("New poles ship today.")).to_be_visible()
    customer.get_by_label("5 (excellent)").check()
    customer.get_by_label("The main reason").select_option("helpful")
    shoot(customer, "customer-rating")
    customer.get_by_role("button", name="Send rating").click()
    expect(customer.get_by_role("status")).to_contain_text("you rated this conversation 5 out of 5")
    expert_context.close()
    customer_context.close()

    # The brand's dashboard counts the ticket, its resolution and its rating.
    staff_context = browser.new_context(viewport=DESKTOP)
    staff = sign_in(staff_context, site, site.brand_admin_email, "/brand")
    glance = staff.get_by_role("region", name="At a glance")
    tickets = glance.locator(".card", has=staff.get_by_text("Tickets", exact=True))
    expect(tickets.locator(".kpi")).to_have_text("1")
    csat = glance.locator(".card", has=staff.get_by_text("CSAT average", exact=True))
    expect(csat.locator(".kpi")).to_have_text("5.00")
    expect(csat).to_contain_text("1 rating")
    resolved = staff.get_by_role("row", name="Resolution")
    expect(resolved.locator("td").first).to_have_text("1")
    expect(staff.locator("#chart-volume")).to_be_visible()
    shoot(staff, "brand-dashboard")
    # The reviewer sees the proposal without the customer's name, and what was taken out.
    staff.goto(f"{site.url}/brand/answers")
    proposal = staff.get_by_label("Proposed answer (edit before approving if needed)")
    expect(proposal).to_have_value("Sorry about that, {{customer_name}}! New poles ship today.")
    expect(staff.get_by_role("note")).to_contain_text("customer name “Carla”")
    shoot(staff, "brand-answers")
    staff.get_by_role("button", name="Approve").click()
    expect(staff.get_by_role("cell", name="the bot's answer")).to_be_visible()
    staff_context.close()


def test_the_customers_open_page_follows_the_conversation_live(
    browser: Browser, site: Site
) -> None:
    expert_context = browser.new_context(viewport=DESKTOP)
    customer_context = browser.new_context(viewport=PHONE)
    expert = sign_in(expert_context, site, site.expert_emails[0], "/expert")
    expert.get_by_role("button", name="Available").click()
    expect(expert.get_by_role("heading", name="Your status: available")).to_be_visible()
    customer = customer_context.new_page()
    customer.goto(f"{site.url}/support/{site.brand_slug}/{site.program_slug}")
    customer.get_by_label("Your email").fill("eli@example.com")
    customer.get_by_label("Topic").select_option("orders")
    customer.get_by_label("Your message").fill("My stove smells of gas at the valve.")
    customer.get_by_role("button", name="Send").click()
    customer.wait_for_url(re.compile(r".*/c/[0-9a-f-]+\.[0-9a-f]+$"))
    status = customer.locator("#live .status")
    expect(status).to_have_text("We're looking for the right person to help you")
    # Set on this very page: a reload would lose it.
    customer.evaluate("window.stillThisPage = true")

    offer = expert.locator("#offers article.offer", has_text="smells of gas")
    offer.get_by_role("button", name="Accept").click()
    expert.wait_for_url(re.compile(r".*/expert/tickets/[0-9a-f-]+$"))
    expect(status).to_have_text("An expert is writing to you")
    expert.get_by_label("Message").fill("Please stop using it, Eli: a new valve ships today.")
    expert.get_by_role("button", name="Send").click()
    expect(customer.locator("#live .message.expert")).to_contain_text("a new valve ships today")
    expert.get_by_role("button", name="Resolve").click()
    expert.wait_for_url(f"{site.url}/expert")
    expect(status).to_have_text("Solved")
    expect(customer.get_by_role("heading", name="How did we do?")).to_be_visible()
    assert customer.evaluate("window.stillThisPage") is True
    shoot(customer, "customer-live")

    customer.locator('input[name="score"][value="4"]').check()
    customer.get_by_role("button", name="Send rating").click()
    expect(customer.get_by_role("status")).to_contain_text("you rated this conversation 4 out of 5")
    expert_context.close()
    customer_context.close()


def test_brand_staff_change_a_program_and_bad_input_is_refused(
    browser: Browser, site: Site
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    staff = sign_in(context, site, site.brand_admin_email, "/brand")
    staff.goto(f"{site.url}/brand/programs/{site.program_id}")
    staff.get_by_label("Rate for low complexity, category 2 (USD)").fill("-2")
    staff.get_by_label("Offers before escalating").fill("4")
    staff.get_by_role("button", name="Save changes").click()

    error = staff.locator("#e-rate-1-low")
    expect(error).to_be_visible()
    expect(error).to_have_text("Enter 0 or more.")
    expect(staff.get_by_label("Rate for low complexity, category 2 (USD)")).to_have_attribute(
        "aria-invalid", "true"
    )
    shoot(staff, "brand-program-refused")
    staff.goto(f"{site.url}/brand/programs/{site.program_id}")
    expect(staff.get_by_label("Offers before escalating")).not_to_have_value("4")

    staff.get_by_label("Offers before escalating").fill("4")
    staff.get_by_role("button", name="Save changes").click()
    expect(staff.get_by_role("status")).to_contain_text("Saved.")
    expect(staff.get_by_label("Offers before escalating")).to_have_value("4")
    context.close()


def test_an_expert_cannot_open_another_experts_ticket(browser: Browser, site: Site) -> None:
    context = browser.new_context(viewport=DESKTOP)
    ada = sign_in(context, site, site.expert_emails[0], "/expert")
    ticket_path = _any_ticket_path_of(ada, site)
    context.close()

    other = browser.new_context(viewport=DESKTOP)
    bo = sign_in(other, site, site.expert_emails[1], "/expert")
    response = bo.goto(f"{site.url}{ticket_path}")

    assert response is not None and response.status == 404
    expect(bo.get_by_role("heading", name="Not found")).to_be_visible()
    other.close()


def _any_ticket_path_of(page: Page, site: Site) -> str:
    """Write in as a new customer and accept the offer; return the ticket's workspace path."""
    customer = page.context.new_page()
    customer.goto(f"{site.url}/support/{site.brand_slug}/{site.program_slug}")
    customer.get_by_label("Your email").fill("dana@example.com")
    customer.get_by_label("Topic").select_option("orders")
    customer.get_by_label("Your message").fill("Where is my parcel?")
    customer.get_by_role("button", name="Send").click()
    page.goto(f"{site.url}/expert")
    page.locator("#offers article.offer").get_by_role("button", name="Accept").first.click()
    page.wait_for_url(re.compile(r".*/expert/tickets/[0-9a-f-]+$"))
    return page.url.removeprefix(site.url)
