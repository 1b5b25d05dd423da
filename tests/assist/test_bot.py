from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.assist import service as assist_service
from gigcx.assist.enums import BotAttemptStatus
from gigcx.assist.models import Answer
from gigcx.experts.models import Expert
from gigcx.jobs.models import Job
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind, TicketStatus
from gigcx.tickets.models import Offer, Ticket
from tests.factories.assist import make_answer, make_retail_program, write_in
from tests.factories.experts import make_expert
from tests.factories.tickets import brand_api_for, run_jobs

WHERE_IS_MY_ORDER = "Where is my order? The tracking number has not updated for days."


def royalty_jobs(session: Session) -> list[dict[str, object]]:
    jobs = session.scalars(select(Job).where(Job.name == "payments.earn_fee")).all()
    return [job.payload for job in jobs]


def answered_by_bot(
    session: Session, factory: sessionmaker[Session], *, author: bool = True
) -> tuple[Ticket, Expert, Answer]:
    program = make_retail_program(session)
    expert = make_expert(session, programs=[program], skills={"order-status": 3})
    answer = make_answer(session, program, author_expert_id=expert.id if author else None)
    ticket = write_in(session, program, WHERE_IS_MY_ORDER)
    session.commit()
    run_jobs(factory)
    session.refresh(ticket)
    return ticket, expert, answer


def test_the_bot_answers_a_confident_routine_inquiry_and_resolves_it_pending_the_customer(
    session: Session, factory: sessionmaker[Session]
) -> None:
    ticket, _, answer = answered_by_bot(session, factory)

    attempt = assist_service.bot_attempt_of(session, ticket.id)
    assert attempt is not None
    assert (attempt.answer_id, attempt.status) == (answer.id, BotAttemptStatus.PENDING)
    assert ticket.status == TicketStatus.RESOLVED
    assert [(m.author_kind, m.body) for m in ticket.messages][-1] == (AuthorKind.BOT, answer.body)
    assert session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).all() == []
    assert royalty_jobs(session) == []


def test_the_customers_confirmation_earns_the_author_the_programs_royalty(
    session: Session, factory: sessionmaker[Session]
) -> None:
    ticket, expert, answer = answered_by_bot(session, factory)

    attempt = assist_service.confirm_bot_answer(
        session, tickets_service.customer_of(ticket), ticket.id
    )

    assert attempt.status == BotAttemptStatus.CONFIRMED
    assert royalty_jobs(session) == [
        {
            "kind": "royalty",
            "expert_id": str(expert.id),
            "program_id": str(ticket.program_id),
            "source_key": f"royalty:{ticket.id}",
            "reference": str(answer.id),
        }
    ]


def test_a_brand_written_answer_earns_no_royalty(
    session: Session, factory: sessionmaker[Session]
) -> None:
    ticket, _, _ = answered_by_bot(session, factory, author=False)

    assist_service.confirm_bot_answer(session, tickets_service.customer_of(ticket), ticket.id)

    assert royalty_jobs(session) == []


def test_this_didnt_help_sends_the_ticket_to_an_expert_with_the_bots_attempt_visible(
    session: Session, factory: sessionmaker[Session]
) -> None:
    ticket, expert, _ = answered_by_bot(session, factory)

    assist_service.reject_bot_answer(session, tickets_service.customer_of(ticket), ticket.id)
    session.commit()
    run_jobs(factory)

    session.refresh(ticket)
    attempt = assist_service.bot_attempt_of(session, ticket.id)
    assert attempt is not None and attempt.status == BotAttemptStatus.REJECTED
    offers = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).all()
    assert (ticket.status, [o.expert_id for o in offers]) == (TicketStatus.OFFERED, [expert.id])
    assert [m.author_kind for m in ticket.messages] == [
        AuthorKind.CUSTOMER,
        AuthorKind.BOT,
        AuthorKind.CUSTOMER,
    ]
    assert royalty_jobs(session) == []


def test_a_follow_up_message_counts_as_the_answer_not_helping(
    session: Session, factory: sessionmaker[Session]
) -> None:
    ticket, _, _ = answered_by_bot(session, factory)

    tickets_service.add_customer_message(
        session, brand_api_for(session, ticket.program), ticket.id, "Still nothing arrived."
    )
    session.commit()
    run_jobs(factory)

    attempt = assist_service.bot_attempt_of(session, ticket.id)
    assert attempt is not None and attempt.status == BotAttemptStatus.REJECTED


def test_silence_until_closing_settles_the_answer_once(
    session: Session, factory: sessionmaker[Session]
) -> None:
    ticket, expert, _ = answered_by_bot(session, factory)

    assist_service.settle_bot_answer(session, ticket.id)
    assist_service.settle_bot_answer(session, ticket.id)

    assert [p["expert_id"] for p in royalty_jobs(session)] == [str(expert.id)]


def test_below_the_threshold_or_without_an_answer_the_bot_stays_silent(
    session: Session, factory: sessionmaker[Session]
) -> None:
    strict = make_retail_program(session, threshold=0.99)
    make_answer(session, strict)
    no_answer = make_retail_program(session)
    tickets = [write_in(session, p, WHERE_IS_MY_ORDER) for p in (strict, no_answer)]
    session.commit()

    run_jobs(factory)

    for ticket in tickets:
        session.refresh(ticket)
        assert assist_service.bot_attempt_of(session, ticket.id) is None
        assert ticket.status == TicketStatus.ESCALATED  # nobody is online in these programs


def test_an_inquiry_fitting_no_category_is_never_answered_by_the_bot(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_retail_program(session, threshold=0.0)
    make_answer(session, program)
    ticket = write_in(session, program, "Bonjour, je voudrais parler au directeur, merci.")
    session.commit()

    run_jobs(factory)

    triage = assist_service.triage_of(session, ticket.id)
    assert triage is not None and triage.is_intent_recognised is False
    assert triage.notes[0].startswith("fits no category (best guess")
    assert assist_service.bot_attempt_of(session, ticket.id) is None
