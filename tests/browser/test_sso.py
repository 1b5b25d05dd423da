"""A brand admin sets up single sign-on and a new colleague signs in with the company account,
through the real server, Chromium and the test OpenID provider."""

from playwright.sync_api import Browser, expect

from tests.browser.conftest import Site
from tests.browser.test_journey import DESKTOP, shoot, sign_in
from tests.servers.oidc import CLIENT_ID, CLIENT_SECRET, OidcProvider


def test_a_colleague_signs_in_with_the_company_account(
    browser: Browser, site: Site, oidc_provider: OidcProvider
) -> None:
    admin_context = browser.new_context(viewport=DESKTOP)
    admin = sign_in(admin_context, site, site.brand_admin_email, "/brand/sso")
    expect(admin.get_by_label("Redirect URI")).to_have_value(f"{site.url}/login/sso/callback")
    admin.get_by_label("Issuer URL").fill(oidc_provider.issuer)
    admin.get_by_label("Client ID").fill(CLIENT_ID)
    admin.get_by_label("Client secret").fill(CLIENT_SECRET)
    admin.get_by_label("Email domains").fill("acme.example")
    admin.get_by_label("Someone signing in for the first time becomes").select_option(
        "inhouse_agent"
    )
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Single sign-on settings saved.")).to_be_visible()
    admin_context.close()

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{site.url}/login")
    page.get_by_label("Company account", exact=True).fill("ana@acme.example")
    page.get_by_role("button", name="Continue with your company account").click()
    page.wait_for_url(f"{site.url}/brand")
    expect(page.get_by_role("link", name="Dashboard")).to_be_visible()
    shoot(page, "sso-signed-in")
    [authorize] = oidc_provider.state.authorize_requests
    assert authorize["code_challenge_method"] == "S256"
    assert oidc_provider.state.token_refusals == []
    context.close()

    refused_context = browser.new_context(viewport=DESKTOP)
    refused = refused_context.new_page()
    oidc_provider.state.user["email"] = "ana@elsewhere.example"
    oidc_provider.state.user["sub"] = "employee-0002"
    refused.goto(f"{site.url}/login")
    refused.get_by_label("Company account", exact=True).fill("acme.example")
    refused.get_by_role("button", name="Continue with your company account").click()
    expect(refused.get_by_role("alert")).to_contain_text(
        "your company account's email ana@elsewhere.example is not allowed for "
        "Trailhead Outfitters: it takes addresses at acme.example"
    )
    refused_context.close()
