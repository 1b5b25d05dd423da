from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand
from gigcx.experts.enums import EnrollmentStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.routing import service as routing_service
from gigcx.training import service as training_service
from gigcx.training.errors import AlreadyCertified, BadAnswers, NoAttemptsLeft
from gigcx.training.models import Certification
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.quality import enrollment_of
from tests.factories.tickets import make_ticket
from tests.factories.training import answers, make_course


def fee_jobs(session: Session) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.name == "payments.earn_fee")))


def test_four_of_five_meets_a_pass_mark_of_80_and_certifies(session: Session) -> None:
    program = make_program(session, make_brand(session))
    course = make_course(session, program)
    expert = make_expert(session, programs=[program])

    result = training_service.submit_attempt(
        session, as_expert(expert), course.id, answers(course, wrong=1)
    )

    assert (result.attempt.correct_count, result.attempt.percent) == (4, 80)
    assert result.attempt.is_passed is True
    assert result.certification is not None
    assert result.certification.expires_at == result.certification.issued_at + timedelta(days=90)
    assert enrollment_of(session, expert, program).certified_until == (
        result.certification.expires_at
    )


def test_passing_earns_the_onboarding_fee_once(session: Session) -> None:
    program = make_program(session, make_brand(session))
    course = make_course(session, program)
    expert = make_expert(session, programs=[program])
    enrollment = enrollment_of(session, expert, program)

    result = training_service.submit_attempt(session, as_expert(expert), course.id, answers(course))
    admin = brand_admin(session.get_one(Brand, program.brand_id))
    training_service.require_recertification(session, admin, course.id, note="new", grace_days=0)
    training_service.submit_attempt(session, as_expert(expert), course.id, answers(course))

    assert result.certification is not None
    (job,) = fee_jobs(session)
    assert job.payload == {
        "kind": "onboarding",
        "expert_id": str(expert.id),
        "program_id": str(program.id),
        "source_key": f"onboarding:{enrollment.id}",
        "reference": str(result.certification.id),
    }


def test_a_failed_attempt_does_not_certify_and_attempts_run_out(session: Session) -> None:
    program = make_program(session, make_brand(session))
    course = make_course(session, program)
    expert = make_expert(session, programs=[program])

    first = training_service.submit_attempt(
        session, as_expert(expert), course.id, answers(course, wrong=2)
    )
    training_service.submit_attempt(session, as_expert(expert), course.id, answers(course, wrong=2))
    with pytest.raises(NoAttemptsLeft):
        training_service.submit_attempt(session, as_expert(expert), course.id, answers(course))

    assert (first.attempt.percent, first.attempt.is_passed) == (60, False)
    assert first.certification is None
    assert enrollment_of(session, expert, program).certified_until is None
    assert fee_jobs(session) == []


def test_unanswered_questions_are_refused_without_using_an_attempt(session: Session) -> None:
    program = make_program(session, make_brand(session))
    course = make_course(session, program)
    expert = make_expert(session, programs=[program])

    with pytest.raises(BadAnswers, match="missing: 1, 2, 3, 4, 5"):
        training_service.submit_attempt(session, as_expert(expert), course.id, {})

    assert training_service.attempts_left(session, expert.id, course) == 2


def test_passing_moves_an_onboarding_enrollment_to_active(session: Session) -> None:
    program = make_program(session, make_brand(session))
    course = make_course(session, program)
    expert = make_expert(session, programs=[program], enrollment_status=EnrollmentStatus.ONBOARDING)

    training_service.submit_attempt(session, as_expert(expert), course.id, answers(course))

    assert enrollment_of(session, expert, program).status == EnrollmentStatus.ACTIVE


def test_routing_offers_only_to_currently_certified_experts(session: Session) -> None:
    program = make_program(session, make_brand(session))
    course = make_course(session, program)
    uncertified = make_expert(session, programs=[program], skills={"billing": 5})
    certified = make_expert(session, programs=[program], skills={"billing": 1})
    training_service.submit_attempt(session, as_expert(certified), course.id, answers(course))

    outcome = routing_service.route_locked(session, make_ticket(session, program, route=False))

    assert program.requires_certification is True
    assert [o.expert_id for o in outcome.offers] == [certified.id]
    assert uncertified.id != certified.id


def test_an_expired_certification_no_longer_routes(session: Session) -> None:
    program = make_program(session, make_brand(session))
    course = make_course(session, program)
    expert = make_expert(session, programs=[program])
    training_service.submit_attempt(session, as_expert(expert), course.id, answers(course))

    with clock.shifted(timedelta(days=91)):
        outcome = routing_service.route_locked(session, make_ticket(session, program, route=False))

    assert outcome.action == "escalated"
    assert outcome.offers == []


def test_a_guideline_change_ends_certifications_after_the_grace(session: Session) -> None:
    program = make_program(session, make_brand(session))
    course = make_course(session, program)
    expert = make_expert(session, programs=[program])
    training_service.submit_attempt(session, as_expert(expert), course.id, answers(course))
    admin = brand_admin(session.get_one(Brand, program.brand_id))

    training_service.require_recertification(
        session, admin, course.id, note="New refund policy", grace_days=14
    )

    certification = session.scalars(select(Certification)).one()
    assert course.version == 2
    until = enrollment_of(session, expert, program).certified_until
    assert until == certification.expires_at
    assert until is not None
    assert timedelta(days=13) < until - clock.now() <= timedelta(days=14)


def test_expiring_certifications_are_warned_once_14_days_ahead(session: Session) -> None:
    program = make_program(session, make_brand(session))
    course = make_course(session, program)
    expert = make_expert(session, programs=[program])
    training_service.submit_attempt(session, as_expert(expert), course.id, answers(course))

    early = training_service.warn_expiring(session, now=clock.now() + timedelta(days=75))
    due = training_service.warn_expiring(session, now=clock.now() + timedelta(days=77))
    again = training_service.warn_expiring(session, now=clock.now() + timedelta(days=78))

    assert (early, due, again) == (0, 1, 0)


def test_a_brand_grants_a_certification_without_the_quiz_or_fee(session: Session) -> None:
    program = make_program(session, make_brand(session))
    course = make_course(session, program)
    expert = make_expert(session, programs=[program])
    admin = brand_admin(session.get_one(Brand, program.brand_id))

    granted = training_service.grant_certification(
        session, admin, course.id, expert_id=expert.id, reason="trained in house"
    )
    with pytest.raises(AlreadyCertified):
        training_service.grant_certification(
            session, admin, course.id, expert_id=expert.id, reason="again"
        )

    assert enrollment_of(session, expert, program).certified_until == granted.expires_at
    assert fee_jobs(session) == []
    assert training_service.attempts_left(session, expert.id, course) == 2


def test_a_further_course_must_be_passed_too(session: Session) -> None:
    program = make_program(session, make_brand(session))
    first = make_course(session, program)
    expert = make_expert(session, programs=[program])
    training_service.submit_attempt(session, as_expert(expert), first.id, answers(first))

    second = make_course(session, program, title="Returns")
    uncertified = enrollment_of(session, expert, program).certified_until
    training_service.submit_attempt(session, as_expert(expert), second.id, answers(second))

    assert uncertified is None
    assert enrollment_of(session, expert, program).certified_until is not None
