"""Applying to a program: refused with what is missing until the profile fits, then as before."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.audit.models import AuditEvent
from gigcx.auth import service as auth_service
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.experts import service as experts_service
from gigcx.experts.errors import ApplicationIncomplete
from gigcx.experts.models import Enrollment
from gigcx.experts.schemas import ExpertCreate
from tests.api.helpers import PASSWORD, build_marketplace, sign_in, sign_up_expert
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.web.helpers import post_form, web_sign_in

NOTHING_FILLED_IN = [
    "Add your country to your profile",
    "Add German to your languages",
    "Take chat or email tickets: set how many you work at once in your profile",
    "Pick at least one skill in this program's categories (Billing, Shipping)",
]


def newcomer(session: Session) -> Principal:
    """An expert who signed up with a name, an email and a password, and works no channel."""
    _, user = experts_service.register_expert(
        session,
        ExpertCreate(email="new@example.com", password=PASSWORD, display_name="Nadia", capacity={}),
    )
    return auth_service.principal_for_user(user)


def german_program(session: Session) -> Program:
    return make_program(
        session, make_brand(session), languages=("de",), gig_categories=("billing", "shipping")
    )


def enrollment_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Enrollment)) or 0


def applied_events(session: Session) -> int:
    statement = select(func.count()).where(AuditEvent.action == "enrollment.applied")
    return session.scalar(statement) or 0


def test_applying_with_every_requirement_unmet_is_refused_with_what_is_missing(
    session: Session,
) -> None:
    program = german_program(session)
    principal = newcomer(session)

    with pytest.raises(ApplicationIncomplete) as refused:
        experts_service.apply(session, principal, program.id)

    assert refused.value.status_code == 409
    assert refused.value.missing == NOTHING_FILLED_IN
    assert refused.value.detail == (
        f"Before you can apply to {program.name}: Add your country to your profile. "
        "Add German to your languages. Take chat or email tickets: set how many you work at "
        "once in your profile. Pick at least one skill in this program's categories "
        "(Billing, Shipping)."
    )
    assert (enrollment_count(session), applied_events(session)) == (0, 0)


def test_one_unmet_requirement_is_named_alone(session: Session) -> None:
    program = german_program(session)
    expert = make_expert(session, languages={"en": 5}, skills={"shipping": 1})

    with pytest.raises(ApplicationIncomplete) as refused:
        experts_service.apply(session, as_expert(expert), program.id)

    assert refused.value.missing == ["Add German to your languages"]
    assert enrollment_count(session) == 0


def test_a_program_in_several_languages_asks_for_any_one_of_them(session: Session) -> None:
    program = make_program(session, make_brand(session), languages=("en", "fr", "de"))
    expert = make_expert(session, languages={"pt": 5})

    with pytest.raises(ApplicationIncomplete) as refused:
        experts_service.apply(session, as_expert(expert), program.id)

    assert refused.value.missing == ["Add English, French or German to your languages"]


def test_applying_with_the_requirements_met_enrolls_as_before(session: Session) -> None:
    program = german_program(session)
    # A skill in one of the categories is enough to apply, whatever its level.
    expert = make_expert(session, languages={"de": 4}, skills={"shipping": 1})

    enrollment = experts_service.apply(session, as_expert(expert), program.id)

    assert (enrollment.expert_id, enrollment.program_id, enrollment.status) == (
        expert.id,
        program.id,
        "applied",
    )
    assert (enrollment_count(session), applied_events(session)) == (1, 1)


def test_the_api_refuses_an_application_with_what_is_missing_and_writes_nothing(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    created = client.post(
        "/api/v1/experts",
        json={"email": "nadia@example.com", "password": PASSWORD, "display_name": "Nadia"},
    )
    headers = sign_in(client, "nadia@example.com")

    response = client.post(f"/api/v1/programs/{market.program_id}/enrollments", headers=headers)

    assert created.status_code == 202
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Before you can apply to Customer care: Add your country to your profile. "
        "Add English or German to your languages. Pick at least one skill in this program's "
        "categories (Billing)."
    }
    assert enrollment_count(session) == 0


def test_the_api_takes_an_application_once_the_profile_fits(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    expert_id, email = sign_up_expert(client, skills={"billing": 1})
    headers = sign_in(client, email)

    response = client.post(f"/api/v1/programs/{market.program_id}/enrollments", headers=headers)

    assert response.status_code == 201, response.text
    assert (response.json()["expert_id"], response.json()["status"]) == (expert_id, "applied")
    assert enrollment_count(session) == 1


def test_the_programs_page_refuses_an_application_in_plain_sentences(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    client.post(
        "/api/v1/experts",
        json={"email": "nadia@example.com", "password": PASSWORD, "display_name": "Nadia"},
    )
    web_sign_in(client, "nadia@example.com")
    page = client.get("/expert/programs")

    response = post_form(client, f"/expert/programs/{market.program_id}/apply")

    assert "<li>Add English or German to your languages.</li>" in page.text  # said up front
    assert response.status_code == 409
    assert "You cannot apply to Customer care yet. Nothing was sent; first:" in response.text
    assert "<li>Add your country to your profile.</li>" in response.text
    assert "<li>Add English or German to your languages.</li>" in response.text
    assert (
        "<li>Pick at least one skill in this program&#39;s categories (Billing).</li>"
        in response.text
    )
    assert enrollment_count(session) == 0
