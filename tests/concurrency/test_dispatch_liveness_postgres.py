"""Freed capacity is never lost between transactions that commit in an unlucky order.

Each test forces one interleaving of real transactions on PostgreSQL and proves it happened
(a connection seen waiting on the lock, or sessions opened and committed in a set order); then
the job runner's next pass must leave no ticket queued beside an expert with room.
"""

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.db.session import make_engine, unit_of_work
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.jobs.runner import RunStats, run_until_idle
from gigcx.kit import clock
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import OfferStatus, TicketStatus
from gigcx.tickets.models import Offer, Ticket
from tests.concurrency.conftest import wait_until_blocked
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.tickets import make_ticket


@pytest.mark.postgres
def test_a_dispatch_that_waited_for_another_still_offers_the_ticket_to_a_free_expert(
    committing_database_url: str,
) -> None:
    engine = make_engine(committing_database_url, pool_size=3)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        # Given one expert with room for one chat, working on one, and a second ticket queued
        with unit_of_work(factory) as session:
            program = make_program(session, make_brand(session), offers_at_once=1)
            expert = make_expert(session, programs=[program], capacity={"chat": 1})
            working = make_ticket(session, program)
        principal = Principal(role=Role.EXPERT, expert_id=expert.id)
        with unit_of_work(factory) as session:
            offer = session.scalars(select(Offer).where(Offer.ticket_id == working.id)).one()
            routing_service.accept_offer(session, principal, offer.id)
        with unit_of_work(factory) as session:
            waiting = make_ticket(session, program)
            assert waiting.status == TicketStatus.QUEUED
        run_until_idle(factory)  # both tickets' triage, before the race

        # When a dispatch claims the queue and finds the expert full, the expert resolves, and
        # the dispatch that resolution enqueues runs before the first one commits
        with factory() as first_dispatch:
            assert routing_service.dispatch(first_dispatch, program.id) == 0
            with unit_of_work(factory) as session:
                tickets_service.resolve(session, principal, working.id)
            # A runner of its own, whose dispatch must wait for the first one (no SKIP LOCKED):
            # seen waiting on the dispatch lock before the first one commits.
            stats: list[RunStats] = []
            runner = threading.Thread(target=lambda: stats.append(run_until_idle(factory)))
            runner.start()
            wait_until_blocked(factory, runner, event="advisory")
            first_dispatch.commit()
            runner.join()
        # pay_resolution, dispatch and the QA sampling of the resolved ticket, and the events
        # handed on: the resolution, and the offer the dispatch made
        assert [(s.done, s.failed) for s in stats] == [(5, 0)]

        # Then the waiting ticket should be offered to the now free expert (it stays queued)
        with factory() as session:
            assert_offered_or_due(session, waiting.id)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_ticket_queued_while_its_expert_frees_up_elsewhere_is_offered_after_commit(
    committing_database_url: str,
) -> None:
    engine = make_engine(committing_database_url, pool_size=3)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        # Given one expert with room for one chat, working on one
        with unit_of_work(factory) as session:
            program = make_program(session, make_brand(session), offers_at_once=1)
            expert = make_expert(session, programs=[program], capacity={"chat": 1})
            working = make_ticket(session, program)
        principal = Principal(role=Role.EXPERT, expert_id=expert.id)
        with unit_of_work(factory) as session:
            offer = session.scalars(select(Offer).where(Offer.ticket_id == working.id)).one()
            routing_service.accept_offer(session, principal, offer.id)
        run_until_idle(factory)

        # When a new ticket is routed (the expert is full: it queues) but not yet committed,
        # the expert resolves, and the dispatch that follows runs and commits first
        intake = factory()
        waiting = make_ticket(intake, program)
        assert waiting.status == TicketStatus.QUEUED
        with unit_of_work(factory) as session:
            tickets_service.resolve(session, principal, working.id)
        before = run_until_idle(factory)  # cannot see the uncommitted ticket
        intake.commit()
        intake.close()
        after = run_until_idle(factory)

        # Then the intake's own second look offers the ticket to the free expert
        assert (before.failed, after.failed) == (0, 0)
        with factory() as session:
            assert_offered_or_due(session, waiting.id)
    finally:
        engine.dispose()


def assert_offered_or_due(session: Session, ticket_id: object) -> None:
    status = session.scalar(select(Ticket.status).where(Ticket.id == ticket_id))
    pending = session.scalar(
        select(func.count())
        .select_from(Offer)
        .where(Offer.ticket_id == ticket_id, Offer.status == OfferStatus.PENDING)
    )
    due = session.scalar(
        select(func.count())
        .select_from(Job)
        .where(Job.status == JobStatus.QUEUED, Job.run_at <= clock.now())
    )
    assert (status, pending, due) == (TicketStatus.OFFERED, 1, 0)
