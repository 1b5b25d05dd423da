import re
import uuid
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.experts.models import Enrollment, Expert
from tests.api.helpers import build_marketplace, sign_up_expert, ticket_body
from tests.factories.tickets import run_jobs
from tests.web.helpers import csrf_of, web_sign_in


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


def test_the_profile_page_lists_languages_and_skills_by_name(
    client: TestClient, session: Session
) -> None:
    build_marketplace(client, session, experts=0)
    _, email = sign_up_expert(client, skills={"billing": 4, "gift-cards": 2})
    web_sign_in(client, email)

    page = client.get("/expert/profile")

    assert page.status_code == 200
    assert '<label for="f-language-de">German</label>' in page.text
    assert '<option value="3" selected>3 · good</option>' in page.text  # German, as signed up
    assert '<label for="f-language-pt-br">Portuguese (Brazil)</label>' in page.text
    assert re.search(r"<legend>Customer care · Brand \d+</legend>", page.text)
    assert re.search(
        r'<input type="checkbox" id="f-skill-billing" name="skill-billing" value="on" checked',
        page.text,
    )
    assert '<span>Billing <span class="muted">(asks level 2+)</span></span>' in page.text
    assert "<legend>Other skills (no open program asks for them now)</legend>" in page.text
    assert 'name="skill-legal"' not in page.text  # the brand keeps Legal in house
    assert 'list="language-codes"' not in page.text
    assert 'name="languages-0-code"' not in page.text
    assert 'name="skills-0-key"' not in page.text


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
            "language-pt-br": "5",
            "language-en": "",
            "language-de": "",
            "skill-shipping": "on",
            "level-shipping": "4",
            "level-billing": "2",  # not ticked: no longer a skill
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
            "language-en": "",
            "skill-billing": "on",
            "level-billing": "9",
            "capacity-chat": "50",
        },
    )

    assert response.status_code == 400
    assert error_next_to(response.text, "country") == (
        "&#39;Portugal&#39; is not a country; use a two-letter ISO 3166 code."
    )
    assert (
        '<p id="e-languages" class="error" role="alert">Pick at least one language you answer '
        "customers in, with how well you write it.</p>" in response.text
    )
    assert error_next_to(response.text, "level-billing") == "Choose a level from the list."
    assert error_next_to(response.text, "capacity-chat") == "Enter a whole number from 0 to 20."
    expert = session.get_one(Expert, uuid.UUID(expert_id))
    session.refresh(expert)
    assert (expert.country, profile_of(expert)) == (
        "PT",
        {"languages": {"en": 5, "de": 3}, "skills": {"billing": 4}, "capacity": {"chat": 2}},
    )


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
    assert "Billing: your skill at level 2 or higher" in page.text
    assert "Speak English or German" in page.text
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
