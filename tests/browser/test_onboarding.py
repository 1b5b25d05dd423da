"""A new expert's way in, in a real browser: sign up → sign in → checklist → profile → apply."""

from playwright.sync_api import Browser, expect

from tests.browser.conftest import PASSWORD, Site
from tests.browser.test_journey import PHONE, shoot
from tests.browser.test_screens import check_fits

EMAIL = "chidi@experts.example.com"


def test_a_new_expert_signs_up_follows_the_checklist_and_applies(
    browser: Browser, site: Site
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    card = page.locator(f"#program-{site.program_id}")

    page.goto(f"{site.url}/expert/signup")
    page.get_by_label("Your name (customers see it)").fill("Chidi Okeke")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(f"{site.url}/login?signed_up=1")
    expect(page.get_by_role("status")).to_contain_text("If this email is new")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.url}/expert")

    checklist = page.get_by_role("region", name="Getting started: 0 of 5 done")
    expect(checklist).to_contain_text("Add the languages you answer customers in and your country.")
    shoot(page, "onboarding-checklist")

    # Applying before the profile fits is refused with what is missing; nothing is sent.
    checklist.get_by_role("link", name="See the programs").click()
    page.wait_for_url(f"{site.url}/expert/programs")
    card.get_by_role("button", name="Apply").click()
    refusal = card.get_by_role("alert")
    expect(refusal).to_contain_text("You cannot apply to Gear help yet.")
    expect(refusal).to_contain_text("Add English to your languages.")
    expect(refusal).to_contain_text("Pick at least one skill in this program's categories")
    expect(card).to_contain_text("Not applied yet")
    shoot(page, "onboarding-refused")

    page.goto(f"{site.url}/expert")
    page.get_by_role("link", name="Complete your profile").click()
    page.wait_for_url(f"{site.url}/expert/profile")
    page.get_by_label("Country").fill("NG")
    page.get_by_label("Time zone").fill("Africa/Lagos")
    page.get_by_label("English", exact=True).select_option("5")
    page.get_by_role("checkbox", name="Orders and delivery").check()
    check_fits(page, PHONE)
    shoot(page, "onboarding-profile")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url(f"{site.url}/expert/profile?saved=1")

    page.goto(f"{site.url}/expert")
    checklist = page.get_by_role("region", name="Getting started: 2 of 5 done")
    expect(checklist.locator("#step-profile")).to_contain_text("English · NG · Africa/Lagos")
    checklist.get_by_role("link", name="See the programs").click()
    card.get_by_role("button", name="Apply").click()
    expect(card).to_contain_text("Your enrollment: applied")

    page.goto(f"{site.url}/expert")
    checklist = page.get_by_role("region", name="Getting started: 4 of 5 done")
    expect(checklist.locator("#step-programs")).to_contain_text(
        "You applied to Gear help (applied)."
    )
    expect(checklist.locator("#step-first_ticket")).to_contain_text("to do")
    shoot(page, "onboarding-applied")
    context.close()
