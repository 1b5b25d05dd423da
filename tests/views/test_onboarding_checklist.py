"""The getting-started checklist: one function decides each step, from sign-up to first ticket."""

from datetime import timedelta

from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.schemas import ExpertCreate, ExpertUpdate
from gigcx.kit import clock
from gigcx.views.onboarding import Checklist, onboarding_checklist
from tests.api.helpers import PASSWORD
from tests.factories.brands import make_brand, make_program


def newcomer(session: Session) -> Principal:
    _, user = experts_service.register_expert(
        session, ExpertCreate(email="nadia@example.com", password=PASSWORD, display_name="Nadia")
    )
    return auth_service.principal_for_user(user)


def states(checklist: Checklist) -> list[tuple[str, bool]]:
    return [(step.key, step.is_done) for step in checklist.steps]


def test_a_new_expert_has_every_step_to_do_with_where_to_do_it(session: Session) -> None:
    make_program(session, make_brand(session), languages=("de",))
    principal = newcomer(session)

    checklist = onboarding_checklist(session, principal)

    assert states(checklist) == [
        ("profile", False),
        ("programs", False),
        ("skills", False),
        ("course", False),
        ("first_ticket", False),
    ]
    assert [(s.title, s.detail, s.link) for s in checklist.steps] == [
        (
            "Complete your profile",
            "Add the languages you answer customers in and your country.",
            "/expert/profile",
        ),
        (
            "Pick programs",
            "Find programs that fit you and apply; each says what it asks of you.",
            "/expert/programs",
        ),
        (
            "Pick your skills",
            "Pick skills from the categories of a program you want to work in.",
            "/expert/profile#skills",
        ),
        (
            "Take the onboarding course",
            "Apply to a program first; its onboarding course is paid.",
            "/expert/training",
        ),
        (
            "Take your first ticket",
            "Once a brand approves you, set yourself available: offers appear here.",
            "/expert#presence-h",
        ),
    ]
    assert (checklist.done_count, checklist.is_complete) == (0, False)


def test_the_checklist_follows_the_expert_from_profile_to_first_ticket(session: Session) -> None:
    program = make_program(
        session, make_brand(session), languages=("de",), gig_categories=("billing",)
    )
    program.categories[0].required_skill_level = 3
    principal = newcomer(session)

    experts_service.update_profile(
        session, principal, ExpertUpdate(country="DE", languages={"de": 5}, skills={"billing": 2})
    )
    after_profile = onboarding_checklist(session, principal)
    experts_service.update_profile(session, principal, ExpertUpdate(skills={"billing": 3}))
    after_skills = onboarding_checklist(session, principal)
    enrollment = experts_service.apply(session, principal, program.id)
    program.requires_certification = True
    session.flush()
    after_applying = onboarding_checklist(session, principal)
    enrollment.certified_until = clock.now() + timedelta(days=30)
    experts_service.apply_status(session, enrollment, EnrollmentStatus.ACTIVE, actor=SYSTEM)
    after_course = onboarding_checklist(session, principal)
    experts_service.current_expert(session, principal).last_assigned_at = clock.now()
    after_first_ticket = onboarding_checklist(session, principal)

    assert states(after_profile) == [
        ("profile", True),
        ("programs", False),
        ("skills", False),  # level 2 where the program asks for 3
        ("course", False),
        ("first_ticket", False),
    ]
    assert after_profile.steps[0].detail == "German · DE · UTC"
    assert [s.is_done for s in after_skills.steps] == [True, False, True, False, False]
    assert [s.is_done for s in after_applying.steps] == [True, True, True, False, False]
    assert after_applying.steps[1].detail == f"You applied to {program.name} (applied)."
    assert after_applying.steps[3].detail == (f"Pass the onboarding course of {program.name}.")
    assert [s.is_done for s in after_course.steps] == [True, True, True, True, False]
    assert after_course.steps[3].detail == f"You are certified for {program.name}."
    assert (after_first_ticket.done_count, after_first_ticket.is_complete) == (5, True)


def test_skills_are_judged_against_the_programs_the_expert_chose(session: Session) -> None:
    brand = make_brand(session)
    chosen = make_program(session, brand, languages=("de",), gig_categories=("billing",))
    make_program(session, brand, languages=("de",), gig_categories=("shipping",))
    principal = newcomer(session)
    experts_service.update_profile(
        session, principal, ExpertUpdate(country="DE", languages={"de": 5}, skills={"billing": 1})
    )
    experts_service.apply(session, principal, chosen.id)
    experts_service.update_profile(session, principal, ExpertUpdate(skills={"shipping": 5}))

    checklist = onboarding_checklist(session, principal)

    skills = checklist.steps[2]
    assert (skills.is_done, skills.detail) == (
        False,
        f"{chosen.name}: pick Billing at level 1 or higher.",
    )
    assert (checklist.steps[3].is_done, checklist.steps[3].detail) == (
        True,
        "Your programs ask for no course right now.",
    )
