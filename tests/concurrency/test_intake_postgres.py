"""Two requests with one Idempotency-Key at once, on PostgreSQL: one ticket, the same customer;
one inquiry and one job when the job runner is to make the ticket; two runners, one ticket.

Intake looks nothing up first: the second request waits on the first's uncommitted rows, then
its ticket's insert meets the committed key and finds that ticket, and whatever it had added
with its own (message, audit event, jobs) goes with the savepoint.
"""

import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.audit.models import AuditEvent
from gigcx.channels import intake
from gigcx.db.session import make_engine, open_session, transaction_options, unit_of_work
from gigcx.jobs.models import Job
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Customer, Inquiry, Message, Ticket
from tests.concurrency.conftest import wait_until_blocked
from tests.factories.brands import make_brand, make_program
from tests.factories.tickets import brand_api_for, ticket_data

T = TypeVar("T")


@pytest.fixture
def engine(committing_database_url: str) -> Iterator[Engine]:
    engine = make_engine(committing_database_url, pool_size=4)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(
        bind=engine, expire_on_commit=False, execution_options=transaction_options(writes=True)
    )


def second_waits_for_first(
    factory: sessionmaker[Session], first: Session, second: Callable[[Session], T]
) -> T:
    """Run ``second`` in a unit of work of its own while ``first`` holds its rows; once it
    waits on them, commit ``first``; return what ``second`` returned."""
    got: list[T] = []

    def run() -> None:
        with unit_of_work(factory) as session:
            got.append(second(session))

    thread = threading.Thread(target=run)
    thread.start()
    wait_until_blocked(factory, thread)
    first.commit()
    first.close()
    thread.join()
    [result] = got
    return result


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_key_sent_twice_at_once_makes_one_ticket_and_the_second_gets_it(
    factory: sessionmaker[Session],
) -> None:
    with unit_of_work(factory) as session:
        program = make_program(session, make_brand(session))
        principal = brand_api_for(session, program)
    data = ticket_data(program, customer={"email": "twice@example.com", "name": "Ana"})
    first = open_session(factory, writes=True)
    made, is_new = tickets_service.create_ticket(first, principal, data, idempotency_key="k-1")

    found, second_is_new = second_waits_for_first(
        factory,
        first,
        lambda session: tickets_service.create_ticket(
            session, principal, data, idempotency_key="k-1"
        ),
    )

    assert is_new is True
    assert (found.id, second_is_new) == (made.id, False)
    with factory() as session:
        counts = [count(session, model) for model in (Ticket, Message, Customer)]
        created = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "ticket.created")
        )
        triage = session.scalar(
            select(func.count()).select_from(Job).where(Job.name == "assist.triage")
        )
    assert counts == [1, 1, 1]
    assert (created, triage) == (1, 1)


def test_an_inquiry_key_sent_twice_at_once_stores_one_inquiry_and_one_job(
    factory: sessionmaker[Session],
) -> None:
    with unit_of_work(factory) as session:
        program = make_program(session, make_brand(session))
        principal = brand_api_for(session, program)
    data = ticket_data(program)
    first = open_session(factory, writes=True)
    made, is_new = tickets_service.receive_inquiry(
        first, principal, data, idempotency_key="k-2", can_pick_category=lambda: False
    )

    found, second_is_new = second_waits_for_first(
        factory,
        first,
        lambda session: tickets_service.receive_inquiry(
            session, principal, data, idempotency_key="k-2", can_pick_category=lambda: False
        ),
    )

    assert is_new is True
    assert (found.id, second_is_new) == (made.id, False)
    with factory() as session:
        jobs = session.scalars(select(Job.payload).where(Job.name == "intake.take_in")).all()
        assert count(session, Inquiry) == 1
    assert jobs == [{"inquiry_id": str(made.id)}]


def test_two_runners_taking_one_inquiry_in_at_once_make_one_ticket(
    factory: sessionmaker[Session],
) -> None:
    with unit_of_work(factory) as session:
        program = make_program(session, make_brand(session))
        principal = brand_api_for(session, program)
        inquiry, _ = tickets_service.receive_inquiry(
            session,
            principal,
            ticket_data(program),
            idempotency_key=None,
            can_pick_category=lambda: False,
        )
    payload = {"inquiry_id": str(inquiry.id)}
    first = open_session(factory, writes=True)
    intake.take_in_inquiry(first, payload)
    first.flush()

    second_waits_for_first(factory, first, lambda session: intake.take_in_inquiry(session, payload))

    with factory() as session:
        tickets = session.scalars(select(Ticket.id)).all()
        stored = session.get_one(Inquiry, inquiry.id)
        created = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "ticket.created")
        )
    assert tickets == [inquiry.id]
    assert (stored.status, stored.ticket_id, created) == ("taken_in", inquiry.id, 1)
