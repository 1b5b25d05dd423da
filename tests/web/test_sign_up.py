"""Expert sign-up asks a name, an email and a password; the checklist takes it from there."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth.models import User
from gigcx.experts.models import Expert
from tests.api.helpers import PASSWORD, build_marketplace, sign_up_expert
from tests.web.helpers import post_form


def signup_data(**overrides: str) -> dict[str, str]:
    return {"display_name": "Maria", "email": "maria@example.com", "password": PASSWORD} | overrides


def error_next_to(page: str, field: str) -> str:
    """The message shown right under the field ``field``, which must point at it."""
    control = re.search(rf'<input[^>]*name="{re.escape(field)}"[^>]*>', page)
    assert control is not None, f"no control named {field}"
    assert f'aria-describedby="e-{field}"' in control.group(0)
    message = re.search(
        rf'<p id="e-{re.escape(field)}" class="error" role="alert">([^<]*)</p>', page
    )
    assert message is not None, f"no message for {field}"
    return message.group(1)


def controls(page: str) -> list[str]:
    return re.findall(r'<(?:input|select|textarea)[^>]*name="([^"]+)"', page)


def test_the_signup_page_asks_only_a_name_an_email_and_a_password(client: TestClient) -> None:
    page = client.get("/expert/signup")

    assert page.status_code == 200
    assert "Sign up as an expert" in page.text
    assert controls(page.text) == ["csrf_token", "display_name", "email", "password"]
    assert '<label for="f-display_name">Your name (customers see it)</label>' in page.text


def test_signing_up_stores_an_empty_profile_and_the_checklist_greets_the_expert(
    client: TestClient, session: Session
) -> None:
    build_marketplace(client, session, experts=0)
    client.get("/expert/signup")

    response = post_form(client, "/expert/signup", signup_data())
    notice = client.get(response.headers["location"])
    signed_in = post_form(client, "/login", {"email": "maria@example.com", "password": PASSWORD})
    dashboard = client.get("/expert")

    assert (response.status_code, response.headers["location"]) == (303, "/login?signed_up=1")
    assert "gigcx_session" not in response.headers.get("set-cookie", "")
    assert notice.text.count("If this email is new, your expert account is ready") == 1
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/expert")
    expert = session.scalars(select(Expert).where(Expert.email == "maria@example.com")).one()
    assert (expert.display_name, expert.country, expert.timezone) == ("Maria", "", "UTC")
    assert (expert.languages, expert.skills) == ([], [])
    assert [(x.channel, x.max_concurrent) for x in expert.capacities] == [("chat", 2)]
    assert dashboard.status_code == 200
    assert "Getting started: 0 of 5 done" in dashboard.text
    assert (
        "Add the languages you answer customers in and your country. "
        '<a href="/expert/profile">Complete your profile</a>' in dashboard.text
    )
    assert '<a href="/expert/programs">See the programs</a>' in dashboard.text


def test_bad_signup_input_is_shown_next_to_each_field_and_nothing_is_stored(
    client: TestClient, session: Session
) -> None:
    client.get("/expert/signup")

    response = post_form(
        client, "/expert/signup", signup_data(display_name="", email="maria", password="short")
    )

    assert response.status_code == 400
    page = response.text
    assert error_next_to(page, "display_name") == (
        "Enter the name customers will see, up to 120 characters."
    )
    assert error_next_to(page, "email") == "Enter your email address, such as maria@example.com."
    assert error_next_to(page, "password") == "Choose a password of 8 to 200 characters."
    assert 'value="maria"' in page
    assert 'value="short"' not in page
    assert session.scalar(select(func.count()).select_from(Expert)) == 0
    assert session.scalar(select(func.count()).select_from(User)) == 0
    assert "gigcx_session" not in client.cookies


def test_a_taken_email_answers_like_a_new_one_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    _, taken = sign_up_expert(client)
    client.get("/expert/signup")

    duplicate = post_form(
        client, "/expert/signup", signup_data(email=taken, password="another pass")
    )
    new = post_form(client, "/expert/signup", signup_data(email="new@example.com"))

    assert (duplicate.status_code, duplicate.headers["location"]) == (303, "/login?signed_up=1")
    assert (duplicate.headers.get("set-cookie"), duplicate.text) == (
        new.headers.get("set-cookie"),
        new.text,
    )
    assert session.scalar(select(func.count()).select_from(Expert)) == 2
    # The taken email keeps its own password: the second sign-up changed nothing.
    assert (
        post_form(client, "/login", {"email": taken, "password": "another pass"}).status_code == 401
    )
    assert post_form(client, "/login", {"email": taken, "password": PASSWORD}).status_code == 303
