"""Domain events reach the channels: one job per change, read back in order, in one piece."""

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.channels import events as channel_events
from gigcx.jobs.events import EVENT_JOB
from gigcx.jobs.models import Job
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Offer
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket, run_jobs

HEARD: list[channel_events.Event] = []
# The recorder stays registered once imported; it listens only during this module's tests.
LISTENING: list[bool] = []


@channel_events.subscriber("tests.recorder")
def _record(session: Session, event: channel_events.Event) -> None:
    if LISTENING:
        HEARD.append(event)


@pytest.fixture(autouse=True)
def _fresh_ears() -> Iterator[None]:
    HEARD.clear()
    LISTENING.append(True)
    yield
    LISTENING.clear()
    HEARD.clear()


def emitted(session: Session) -> list[str]:
    jobs = session.scalars(select(Job).where(Job.name == EVENT_JOB).order_by(Job.created_at))
    return [item["type"] for job in jobs for item in job.payload["events"]]


def test_a_ticket_life_emits_its_events_in_order(
    session: Session, factory: sessionmaker[Session]
) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(session, program)
    offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
    routing_service.accept_offer(session, as_expert(expert), offer.id)
    tickets_service.reply(session, as_expert(expert), ticket.id, "Refunded.", is_internal=False)
    tickets_service.reply(session, as_expert(expert), ticket.id, "note", is_internal=True)
    tickets_service.resolve(session, as_expert(expert), ticket.id)

    assert emitted(session) == [
        "ticket.created",
        "ticket.offered",
        "ticket.assigned",
        "offer.accepted",
        "ticket.replied",
        "ticket.note_added",
        "ticket.resolved",
    ]


def test_the_event_job_hands_every_event_to_subscribers(
    session: Session, factory: sessionmaker[Session]
) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    ticket = make_ticket(session, program, route=False)
    session.commit()

    run_jobs(factory)

    created = [event for event in HEARD if event.type == "ticket.created"]
    assert len(created) == 1
    assert created[0].brand_id == brand.id
    assert created[0].data["ticket_id"] == str(ticket.id)
    assert created[0].occurred_at.tzinfo is not None


def test_a_rolled_back_change_emits_nothing(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    session.commit()
    before = emitted(session)

    nested = session.begin_nested()
    make_ticket(session, program, route=False)
    nested.rollback()

    assert emitted(session) == before
