from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.assist import service as assist_service
from gigcx.assist.enums import IntentSource
from gigcx.assist.models import Triage
from gigcx.jobs.models import Job
from gigcx.tickets.enums import Priority, TicketStatus
from gigcx.tickets.models import Offer
from tests.factories.assist import make_retail_program, write_in
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.tickets import make_ticket, run_jobs


def test_intake_queues_triage_and_the_job_stores_it_on_the_ticket(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session))
    ticket = make_ticket(
        session,
        program,
        route=False,
        body="URGENT: I was charged twice!! This is terrible. Call me on +49 30 1234567.",
        customer={"email": "ana@example.com", "name": "Ana Lima"},
    )
    job = session.scalars(select(Job).where(Job.name == "assist.triage")).one()
    assert job.payload == {
        "ticket_id": str(ticket.id),
        "route": False,
        "set_priority": True,
        "set_complexity": True,
        "is_category_chosen": True,
    }
    session.commit()

    run_jobs(factory)

    triage = assist_service.triage_of(session, ticket.id)
    assert triage is not None
    assert (triage.language, triage.sentiment_label) == ("en", "negative")
    assert (triage.intent, triage.intent_source) == (None, IntentSource.RULES)
    assert triage.notes == ["no intent model for this program: routed by the brand's own rules"]
    assert triage.pii == [{"kind": "phone", "start": 59, "end": 73}]  # offsets, never the text
    assert triage.model_version == "lingua-2+vader-3.3+pii-rules-2"
    session.refresh(ticket)
    assert ticket.priority == Priority.HIGH == triage.priority
    assert ticket.status == TicketStatus.NEW


def test_triage_runs_once_however_often_its_job_runs(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session))
    ticket = make_ticket(session, program, route=False)
    session.commit()
    run_jobs(factory)

    again = assist_service.triage_ticket(session, ticket.id)

    assert session.scalars(select(Triage).where(Triage.ticket_id == ticket.id)).all() == [again]


def test_priority_and_complexity_stated_at_intake_are_kept(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session))
    ticket = make_ticket(
        session, program, route=False, priority=4, complexity="high", body="Urgent!! fraud!!"
    )
    session.commit()

    run_jobs(factory)

    session.refresh(ticket)
    assert (ticket.priority, ticket.complexity) == (4, "high")
    triage = assist_service.triage_of(session, ticket.id)
    assert triage is not None and triage.priority == 2


def test_with_an_intent_model_routing_waits_for_triage_which_sets_the_category(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_retail_program(session)
    expert = make_expert(session, programs=[program], skills={"warranty-repairs": 3})
    ticket = write_in(
        session,
        program,
        "The zipper on my jacket broke after a month, is that covered by your warranty?",
        category="order-status",
    )
    status_at_intake = ticket.status
    session.commit()

    run_jobs(factory)

    session.refresh(ticket)
    triage = assist_service.triage_of(session, ticket.id)
    assert status_at_intake == TicketStatus.NEW
    assert triage is not None
    assert (triage.intent, triage.is_intent_recognised) == ("warranty-repairs", True)
    assert triage.intent_source == IntentSource.MODEL
    assert triage.model_version.startswith("lingua-2+vader-3.3+pii-rules-2+intent:program-")
    assert ticket.category == "warranty-repairs"
    assert ticket.status == TicketStatus.OFFERED
    offers = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).all()
    assert [o.expert_id for o in offers] == [expert.id]
