import re
import uuid
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.auth.models import User
from gigcx.experts.models import Enrollment, Expert
from tests.api.helpers import PASSWORD, build_marketplace, sign_up_expert, ticket_body
from tests.factories.tickets import run_jobs
from tests.web.helpers import csrf_of, web_sign_in


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "email": "maria@example.com",
        "password": PASSWORD,
        "display_name": "Maria",
        "country": "pt",
        "timezone": "Europe/Lisbon",
        "languages-0-code": "pt",
        "languages-0-level": "5",
        "languages-1-code": "EN",
        "languages-1-level": "4",
        "languages-2-code": "",
        "languages-2-level": "",
        "skills-0-key": "billing",
        "skills-0-level": "3",
        "skills-1-key": "",
        "skills-1-level": "",
        "skills-2-key": "",
        "skills-2-level": "",
        "capacity-chat": "3",
        "capacity-email": "1",
        "capacity-api": "",
    }
    data.update(overrides)
    return data


def post(client: TestClient, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    response: httpx.Response = client.post(
        path, data={**(data or {}), "csrf_token": csrf_of(client)}, follow_redirects=False
    )
    return response


def error_next_to(page: str, field: str) -> str:
    """The message shown right under the field ``field``, which must point at it."""
    control = re.search(rf'<(?:input|select|textarea)[^>]*name="{re.escape(field)}"[^>]*>', page)
    assert control is not None, f"no control named {field}"
    assert f'aria-describedby="e-{field}"' in control.group(0)
    message = re.search(
        rf'<p id="e-{re.escape(field)}" class="error" role="alert">([^<]*)</p>', page
    )
    assert message is not None, f"no message for {field}"
    return message.group(1)


def expert_named(session: Session, email: str) -> Expert | None:
    return session.scalar(select(Expert).where(Expert.email == email))


def profile_of(expert: Expert) -> dict[str, Any]:
    return {
        "languages": {x.language: x.proficiency for x in expert.languages},
        "skills": {x.skill: x.level for x in expert.skills},
        "capacity": {x.channel: x.max_concurrent for x in expert.capacities},
    }


def test_the_signup_page_offers_three_language_and_skill_rows(client: TestClient) -> None:
    page = client.get("/expert/signup")

    assert page.status_code == 200
    assert "Sign up as an expert" in page.text
    assert '<label for="f-languages-2-code">Language 3</label>' in page.text
    assert (
        '<label for="f-languages-2-level">Level<span class="sr-only"> of language 3</span></label>'
        in page.text
    )
    assert '<label for="f-skills-2-key">Skill 3</label>' in page.text
    assert '<label for="f-capacity-email">Email tickets at once</label>' in page.text
    assert 'name="csrf_token"' in page.text


def test_signing_up_stores_the_profile_and_asks_to_sign_in(
    client: TestClient, session: Session
) -> None:
    client.get("/expert/signup")

    response = post(client, "/expert/signup", signup_data())
    notice = client.get(response.headers["location"])
    signed_in = post(client, "/login", {"email": "maria@example.com", "password": PASSWORD})

    assert (response.status_code, response.headers["location"]) == (303, "/login?signed_up=1")
    assert "gigcx_session" not in response.headers.get("set-cookie", "")
    assert "If this email is new, your expert account is ready" in notice.text
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/expert")
    expert = expert_named(session, "maria@example.com")
    assert expert is not None
    assert (expert.display_name, expert.country, expert.timezone) == (
        "Maria",
        "PT",
        "Europe/Lisbon",
    )
    assert profile_of(expert) == {
        "languages": {"en": 4, "pt": 5},
        "skills": {"billing": 3},
        "capacity": {"chat": 3, "email": 1},
    }
    assert client.get("/expert/profile").status_code == 200


def test_bad_signup_input_is_shown_next_to_each_field_and_nothing_is_stored(
    client: TestClient, session: Session
) -> None:
    client.get("/expert/signup")
    data = signup_data(
        timezone="Mars/Olympus",
        **{"languages-1-level": "7", "skills-1-key": "shipping", "capacity-chat": "50"},
    )

    response = post(client, "/expert/signup", data)

    assert response.status_code == 400
    page = response.text
    assert error_next_to(page, "timezone") == (
        "&#39;Mars/Olympus&#39; is not an IANA time zone; "
        "use a name such as &#39;Europe/Berlin&#39;."
    )
    assert error_next_to(page, "languages-1-level") == "Enter 5 or less."
    assert error_next_to(page, "skills-1-level") == "choose a level"
    assert error_next_to(page, "capacity-chat") == "Enter 20 or less."
    assert 'value="Mars/Olympus"' in page
    assert 'value="maria@example.com"' in page
    assert '<option value="7" selected>7</option>' in page
    assert f'value="{PASSWORD}"' not in page
    assert expert_named(session, "maria@example.com") is None
    assert session.scalar(select(func.count()).select_from(User)) == 0
    assert "gigcx_session" not in client.cookies


def test_a_repeated_language_is_refused_and_a_taken_email_answers_like_a_new_one(
    client: TestClient, session: Session
) -> None:
    _, taken = sign_up_expert(client)
    client.get("/expert/signup")

    repeated = post(client, "/expert/signup", signup_data(**{"languages-1-code": "PT"}))
    duplicate = post(client, "/expert/signup", signup_data(email=taken, password="another pass"))
    new = post(client, "/expert/signup", signup_data(email="new@example.com"))

    assert repeated.status_code == 400
    assert error_next_to(repeated.text, "languages-1-code") == (
        "this one is listed twice; keep one row"
    )
    assert (duplicate.status_code, duplicate.headers["location"]) == (303, "/login?signed_up=1")
    assert (duplicate.headers.get("set-cookie"), duplicate.text) == (
        new.headers.get("set-cookie"),
        new.text,
    )
    assert session.scalar(select(func.count()).select_from(Expert)) == 2
    # The taken email keeps its own password: the second sign-up changed nothing.
    assert post(client, "/login", {"email": taken, "password": "another pass"}).status_code == 401
    assert post(client, "/login", {"email": taken, "password": PASSWORD}).status_code == 303


def test_the_profile_page_saves_changes(client: TestClient, session: Session) -> None:
    expert_id, email = sign_up_expert(client)
    web_sign_in(client, email)
    page = client.get("/expert/profile")
    assert page.status_code == 200
    assert "Your profile" in page.text
    assert 'value="Europe/Lisbon"' in page.text

    response = post(
        client,
        "/expert/profile",
        {
            "display_name": "Ana B.",
            "country": "br",
            "timezone": "America/Sao_Paulo",
            "payout_details": "PayPal ana@example.com",
            "languages-0-code": "pt-br",
            "languages-0-level": "5",
            "languages-1-code": "",
            "languages-1-level": "",
            "skills-0-key": "shipping",
            "skills-0-level": "4",
            "capacity-chat": "1",
            "capacity-email": "3",
        },
    )

    assert (response.status_code, response.headers["location"]) == (303, "/expert/profile?saved=1")
    expert = session.get_one(Expert, uuid.UUID(expert_id))
    session.refresh(expert)
    assert (expert.display_name, expert.country, expert.timezone, expert.payout_details) == (
        "Ana B.",
        "BR",
        "America/Sao_Paulo",
        "PayPal ana@example.com",
    )
    assert profile_of(expert) == {
        "languages": {"pt-br": 5},
        "skills": {"shipping": 4},
        "capacity": {"chat": 1, "email": 3},
    }
    assert "Your profile is saved." in client.get("/expert/profile?saved=1").text


def test_a_bad_profile_change_keeps_the_old_profile(client: TestClient, session: Session) -> None:
    expert_id, email = sign_up_expert(client)
    web_sign_in(client, email)

    response = post(
        client,
        "/expert/profile",
        {
            "display_name": "Ana",
            "country": "Portugal",
            "timezone": "Europe/Lisbon",
            "payout_details": "",
            "languages-0-code": "",
            "languages-0-level": "",
            "capacity-chat": "2",
        },
    )

    assert response.status_code == 400
    assert error_next_to(response.text, "country") == (
        "&#39;Portugal&#39; is not a country; use a two-letter ISO 3166 code."
    )
    assert '<p id="e-languages" class="error" role="alert">Pick at least one.</p>' in response.text
    assert 'id="e-languages"' in response.text
    expert = session.get_one(Expert, uuid.UUID(expert_id))
    session.refresh(expert)
    assert (expert.country, profile_of(expert)["languages"]) == ("PT", {"en": 5, "de": 3})


def test_the_marketplace_shows_programs_and_takes_applications(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    for _ in range(2):
        created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
        assert created.status_code == 201, created.text
    _, email = sign_up_expert(client, skills={"billing": 1})
    web_sign_in(client, email)

    page = client.get("/expert/programs")

    assert page.status_code == 200
    assert "Customer care" in page.text
    assert "2 tickets in the last 7 days" in page.text
    assert "<td>2.00 EUR</td><td>3.50 EUR</td><td>6.00 EUR</td>" in page.text
    assert "Billing: skill “billing” at level 2 or higher" in page.text
    assert "Legal" not in page.text
    assert f'action="/expert/programs/{market.program_id}/apply"' in page.text

    applied = post(client, f"/expert/programs/{market.program_id}/apply")

    assert (applied.status_code, applied.headers["location"]) == (
        303,
        f"/expert/programs#program-{market.program_id}",
    )
    enrollments = session.scalars(
        select(Enrollment.status).where(Enrollment.program_id == uuid.UUID(market.program_id))
    ).all()
    assert sorted(enrollments) == ["active", "applied"]
    page = client.get("/expert/programs")
    assert '<span class="status status-applied">applied</span>' in page.text
    assert f'action="/expert/programs/{market.program_id}/apply"' not in page.text
    again = post(client, f"/expert/programs/{market.program_id}/apply")
    assert again.status_code == 409


def test_earnings_and_performance_pages_show_the_ledger_and_the_score(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]
    ticket_id = client.post(
        "/api/v1/tickets", json=ticket_body(market, subject="Charged twice"), headers=market.api_key
    ).json()["id"]
    offer = client.get("/api/v1/offers", headers=expert).json()[0]
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=expert)
    client.post(f"/api/v1/tickets/{ticket_id}/messages", json={"body": "Done."}, headers=expert)
    client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert)
    run_jobs(factory)
    rating = client.post(
        f"/api/v1/tickets/{ticket_id}/rating",
        json={"score": 5, "reason": "helpful", "comment": "Quick!"},
        headers=market.api_key,
    )
    assert rating.status_code == 201, rating.text
    web_sign_in(client, market.expert_emails[0])

    earnings = client.get("/expert/earnings")
    performance = client.get("/expert/performance")

    assert earnings.status_code == 200
    assert '<p class="kpi">3.50 EUR</p>' in earnings.text
    assert '<td class="num">3.50 EUR</td>' in earnings.text
    assert f'<a href="/expert/tickets/{ticket_id}">Charged twice</a>' in earnings.text
    assert '<span class="status status-pending">pending</span>' in earnings.text
    assert "Tasks per day" in earnings.text
    assert performance.status_code == 200
    assert "(5 \N{MULTIPLICATION SIGN} 4.0 + 5) / (5 + 1) = 4.17" in performance.text
    assert (
        "(prior weight \N{MULTIPLICATION SIGN} prior mean + sum of counted ratings)"
        in performance.text
    )
    assert "Quick!" in performance.text
    assert re.search(
        r"<th scope=\"row\">All programs</th><td>[^<]+</td><td>1</td>", performance.text
    )


def test_account_pages_need_an_expert(client: TestClient) -> None:
    for path in ("/expert/profile", "/expert/programs", "/expert/earnings", "/expert/performance"):
        response = client.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (
            303,
            f"/login?next={path}",
        )
