"""Onboarding and review fees, from the quality and training services through the job runner."""

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.assist import service as assist_service
from gigcx.payments.enums import EarningKind
from gigcx.payments.models import Earning
from gigcx.quality import service as quality_service
from gigcx.quality.enums import ReviewReason
from gigcx.quality.schemas import ReviewSubmit
from gigcx.tickets import service as tickets_service
from gigcx.training import service as training_service
from tests.factories.assist import make_answer, make_retail_program, write_in
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.quality import make_scorecard, make_senior
from tests.factories.tickets import make_ticket, run_jobs
from tests.factories.training import answers, make_course


def earnings_of(session: Session, expert_id: uuid.UUID) -> list[Earning]:
    return list(session.scalars(select(Earning).where(Earning.expert_id == expert_id)))


def test_passing_a_certification_pays_the_onboarding_fee_once(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session), onboarding_fee=Decimal("12.50"))
    course = make_course(session, program)
    expert = make_expert(session, programs=[program])
    training_service.submit_attempt(session, as_expert(expert), course.id, answers(course))
    session.commit()

    first = run_jobs(factory)
    second = run_jobs(factory)

    (earning,) = earnings_of(session, expert.id)
    assert (earning.kind, earning.amount, earning.currency) == (
        EarningKind.ONBOARDING,
        Decimal("12.50"),
        "USD",
    )
    assert first.failed == 0
    assert second.done == 0


def test_a_senior_experts_review_pays_the_review_fee_once(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session), review_fee=Decimal("3.00"))
    scorecard = make_scorecard(session, program)
    ticket = make_ticket(session, program, route=False)
    worker, reviewer = make_expert(session, programs=[program]), make_senior(session, program)
    review = quality_service.open_review(session, ticket, worker.id, ReviewReason.SAMPLED)
    assert review is not None
    keys = [criterion.key for criterion in scorecard.criteria]
    submitted = ReviewSubmit(answers=dict.fromkeys(keys, True), comment="Clear and kind.")
    quality_service.complete_review(session, as_expert(reviewer), review.id, submitted)
    session.commit()

    stats = run_jobs(factory)

    (earning,) = earnings_of(session, reviewer.id)
    assert (earning.kind, earning.amount) == (EarningKind.REVIEW, Decimal("3.00"))
    assert stats.failed == 0


def test_a_confirmed_bot_answer_pays_its_author_the_programs_royalty_once(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_retail_program(session)
    author = make_expert(session, programs=[program], skills={"order-status": 3})
    make_answer(session, program, author_expert_id=author.id)
    ticket = write_in(session, program, "Where is my order? The tracking has not moved for days.")
    session.commit()
    run_jobs(factory)
    royalty = assist_service.settings_for(session, program.id).royalty_amount
    assist_service.confirm_bot_answer(session, tickets_service.customer_of(ticket), ticket.id)
    session.commit()

    stats = run_jobs(factory)

    (earning,) = earnings_of(session, author.id)
    assert (earning.kind, earning.amount, earning.currency) == (
        EarningKind.ROYALTY,
        royalty,
        program.currency,
    )
    assert royalty is not None and royalty > 0
    assert stats.failed == 0
