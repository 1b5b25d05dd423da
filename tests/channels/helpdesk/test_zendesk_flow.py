"""A Zendesk ticket comes in, is answered here, and the answer lands in Zendesk once."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.channels.helpdesk import service as helpdesk_service
from gigcx.channels.helpdesk import tasks as helpdesk_tasks
from gigcx.channels.helpdesk.models import HelpdeskLink
from gigcx.jobs import service as jobs_service
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind, OfferStatus, TicketStatus
from gigcx.tickets.models import Message, Offer, Ticket
from tests.factories.experts import as_expert, make_expert
from tests.factories.helpdesk import TAG, connect, helpdesk_program
from tests.factories.tickets import run_jobs
from tests.servers.zendesk import AGENT_ID, Zendesk


def pull_now(session: Session, factory: sessionmaker[Session], connection_id: object) -> None:
    jobs_service.enqueue(session, helpdesk_service.PULL_JOB, {"connection_id": str(connection_id)})
    session.commit()
    run_jobs(factory)


def test_a_tagged_ticket_is_taken_in_answered_and_the_answer_lands_once(
    session: Session, factory: sessionmaker[Session], zendesk: Zendesk
) -> None:
    program = helpdesk_program(session)
    expert = make_expert(session, programs=[program], capacity={"api": 3})
    connection = connect(session, program)
    session.commit()
    casey = zendesk.add_user("Casey Requester", "casey@example.com")
    wanted = zendesk.add_ticket(
        subject="Charged twice", description="I was charged twice.", requester_id=casey, tags=[TAG]
    )
    zendesk.add_ticket(subject="Other", description="Not for GigCX.", requester_id=casey)

    pull_now(session, factory, connection.id)

    link = session.scalars(select(HelpdeskLink)).one()
    assert link.external_ticket_id == wanted.id
    ticket = session.get_one(Ticket, link.ticket_id)
    assert (ticket.channel, ticket.subject, ticket.category) == ("api", "Charged twice", "billing")
    offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
    assert offer.status == OfferStatus.PENDING

    routing_service.accept_offer(session, as_expert(expert), offer.id)
    tickets_service.reply(
        session, as_expert(expert), ticket.id, "Refunded the second charge.", is_internal=False
    )
    session.commit()
    run_jobs(factory)

    [answer] = zendesk.comments_by(wanted.id, AGENT_ID)
    assert (answer.body, answer.public) == ("Refunded the second charge.", True)

    # The answer echoes back through the export; the customer writes again.
    zendesk.customer_writes(wanted.id, "Thanks, I see it now.")
    pull_now(session, factory, connection.id)
    pull_now(session, factory, connection.id)

    customer_bodies = session.scalars(
        select(Message)
        .where(Message.ticket_id == ticket.id, Message.author_kind == AuthorKind.CUSTOMER)
        .order_by(Message.created_at)
    ).all()
    assert [m.body for m in customer_bodies] == ["I was charged twice.", "Thanks, I see it now."]
    assert len(zendesk.comments_by(wanted.id, AGENT_ID)) == 1
    tickets = session.scalar(
        select(func.count()).select_from(Ticket).where(Ticket.program_id == program.id)
    )
    assert tickets == 1
    session.refresh(ticket)
    assert ticket.status == TicketStatus.ASSIGNED


def test_the_tick_queues_a_pull_for_each_due_active_connection_once(
    session: Session, factory: sessionmaker[Session], zendesk: Zendesk
) -> None:
    due = connect(session, helpdesk_program(session))
    paused = connect(session, helpdesk_program(session), is_active=False)
    helpdesk_tasks.schedule_tick(session)
    helpdesk_tasks.schedule_tick(session)
    session.commit()

    with clock.shifted(timedelta(seconds=31)):
        run_jobs(factory)

    session.expire_all()
    pulls = [
        job.payload["connection_id"]
        for job in session.scalars(select(Job).where(Job.name == helpdesk_service.PULL_JOB))
    ]
    assert pulls == [str(due.id)]
    ticks = session.scalars(select(Job).where(Job.name == helpdesk_tasks.TICK_JOB)).all()
    assert sorted(str(job.status) for job in ticks) == ["done", "queued"]
    session.refresh(due)
    assert due.last_pulled_at is not None and due.next_pull_at is not None
    assert due.next_pull_at > due.last_pulled_at
    session.refresh(paused)
    assert paused.last_pulled_at is None
