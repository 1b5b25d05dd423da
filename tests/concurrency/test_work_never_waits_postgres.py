"""Declining and letting offers lapse never leaves a ticket queued beside an expert with room.

Two available experts, ten tickets (four offered, six queued). Each round both experts answer
their offers at the same time, each in a thread of its own with real commits on PostgreSQL:
they decline, let the offer lapse (its deadline is moved to the past, so the job runner expires
it), now and then accept and later resolve, and come back when lapses set them away. A job
runner thread runs all the while. After each round the job runner makes one more pass, as its
next poll would, and SQL written here (not routing's own query) checks that no queued ticket has
an eligible expert with a free seat on its channel, and that no due job is left.
"""

import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.db.session import make_engine, unit_of_work
from gigcx.experts import service as experts_service
from gigcx.experts.enums import Presence
from gigcx.experts.models import Expert
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.jobs.runner import run_until_idle
from gigcx.kit import clock
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import OfferStatus, TicketStatus
from gigcx.tickets.models import Offer, Ticket
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.tickets import make_ticket

TICKETS = 10
ROUNDS = 200

# A queued ticket and an expert who could take it now: eligible (active enrollment, available,
# language, skill level, channel), not passed over for it, with a free seat on its channel.
IDLE_BESIDE_WORK = text(
    """
SELECT t.id, x.id
FROM tickets t
JOIN program_categories pc ON pc.program_id = t.program_id AND pc.key = t.category
JOIN enrollments e ON e.program_id = t.program_id AND e.status = 'active'
JOIN experts x ON x.id = e.expert_id AND x.presence = 'available'
JOIN expert_languages l ON l.expert_id = x.id AND l.language = t.language
JOIN expert_skills s ON s.expert_id = x.id AND s.skill = t.category
                    AND s.level >= pc.required_skill_level
JOIN expert_capacities c ON c.expert_id = x.id AND c.channel = t.channel
WHERE t.status = 'queued'
  AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.ticket_id = t.id AND o.expert_id = x.id
                  AND o.status IN ('declined', 'expired', 'pending'))
  AND (SELECT count(*) FROM assignments a
       WHERE a.expert_id = x.id AND a.channel = t.channel AND a.ended_at IS NULL)
    + (SELECT count(*) FROM offers o JOIN tickets busy ON busy.id = o.ticket_id
       WHERE o.expert_id = x.id AND o.status = 'pending' AND busy.channel = t.channel)
    < c.max_concurrent
"""
)


def assert_nobody_idle_beside_work(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        idle = session.execute(IDLE_BESIDE_WORK).all()
        due = session.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.status == JobStatus.QUEUED, Job.run_at <= clock.now())
        )
        failed = session.scalar(
            select(func.count()).select_from(Job).where(Job.last_error.is_not(None))
        )
    assert (idle, due, failed) == ([], 0, 0)


def statuses(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as session:
        rows = session.execute(select(Ticket.status, func.count()).group_by(Ticket.status))
        return {status: count for status, count in rows}


def let_lapse(session: Session, offer_id: uuid.UUID) -> None:
    """The offer's deadline passes: its expiry job is due now."""
    past = clock.now() - timedelta(seconds=1)
    session.execute(update(Offer).where(Offer.id == offer_id).values(expires_at=past))
    session.execute(
        update(Job)
        .where(
            Job.name == "routing.expire_offer",
            Job.status == JobStatus.QUEUED,
            Job.payload["offer_id"].as_string() == str(offer_id),
        )
        .values(run_at=past)
    )


def act(factory: sessionmaker[Session], expert_id: uuid.UUID, rng: random.Random) -> str:
    """One expert's turn, in its own unit of work: what they did."""
    principal = Principal(role=Role.EXPERT, expert_id=expert_id)
    with unit_of_work(factory) as session:
        expert = session.get_one(Expert, expert_id)
        if expert.presence != Presence.AVAILABLE:
            experts_service.set_presence(session, principal, Presence.AVAILABLE)
            return "came back"
        working = session.scalars(
            select(Ticket.id).where(
                Ticket.assignee_id == expert_id, Ticket.status == TicketStatus.ASSIGNED
            )
        ).first()
        if working is not None and rng.random() < 0.5:
            tickets_service.resolve(session, principal, working)
            return "resolved"
        offer = session.scalars(
            select(Offer)
            .where(Offer.expert_id == expert_id, Offer.status == OfferStatus.PENDING)
            .order_by(Offer.created_at)
        ).first()
        if offer is None:
            return "idle"
        roll = rng.random()
        if roll < 0.35:
            routing_service.decline_offer(session, principal, offer.id)
            return "declined"
        if roll < 0.7:
            let_lapse(session, offer.id)
            return "lapsed"
        routing_service.accept_offer(session, principal, offer.id)
        return "accepted"


@pytest.mark.postgres
def test_declines_and_lapses_never_leave_work_queued_beside_an_expert_with_room(
    committing_database_url: str,
) -> None:
    engine = make_engine(committing_database_url, pool_size=6)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        # Given two available experts with two chat seats each and ten tickets
        with unit_of_work(factory) as session:
            program = make_program(
                session,
                make_brand(session),
                offers_at_once=1,
                max_offers=20,
                offer_ttl_seconds=3600,
                max_wait_seconds=24 * 3600,
                first_response_seconds=24 * 3600,
                resolution_seconds=48 * 3600,
            )
            experts = [make_expert(session, programs=[program]) for _ in range(2)]
            for _ in range(TICKETS):
                make_ticket(session, program)
        expert_ids = [expert.id for expert in experts]
        run_until_idle(factory)
        assert statuses(factory) == {TicketStatus.OFFERED: 4, TicketStatus.QUEUED: 6}
        assert_nobody_idle_beside_work(factory)

        # When both experts answer at once, round after round, beside a running job runner
        rng = random.Random(10)
        done: list[str] = []
        errors: list[BaseException] = []

        def run(target: Callable[..., object], *args: object) -> threading.Thread:
            def body() -> None:
                try:
                    result = target(*args)
                    if isinstance(result, str):
                        done.append(result)
                except BaseException as error:  # reported by the main thread
                    errors.append(error)

            thread = threading.Thread(target=body)
            thread.start()
            return thread

        rounds = 0
        while rounds < ROUNDS:
            waiting = statuses(factory)
            if not waiting.get(TicketStatus.QUEUED) and not waiting.get(TicketStatus.OFFERED):
                break
            rounds += 1
            seeds = [rng.randrange(10**6) for _ in expert_ids]
            threads = [
                run(act, factory, expert_id, random.Random(seed))
                for expert_id, seed in zip(expert_ids, seeds, strict=True)
            ]
            threads.append(run(run_until_idle, factory))
            for thread in threads:
                thread.join()
            assert errors == []
            # Then after the job runner's next pass nobody with room sits beside queued work
            run_until_idle(factory)
            assert_nobody_idle_beside_work(factory)

        print(f"\n{rounds} rounds: {dict(Counter(done))}; tickets: {statuses(factory)}")
        # and the experts really declined and let offers lapse, until no ticket waited
        assert {"declined", "lapsed"} <= set(done)
        final = statuses(factory)
        assert (final.get(TicketStatus.QUEUED, 0), final.get(TicketStatus.OFFERED, 0)) == (0, 0)
        assert sum(final.values()) == TICKETS
    finally:
        engine.dispose()
