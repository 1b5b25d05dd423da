"""The in-memory roster (gigcx.routing.memory) decides from what the eligibility statement would
read in the same transaction, whatever changed: presence, profiles, offers made, accepted,
declined or lapsed, work finished; within one transaction (its own changes override the memory)
and across committed transactions (the change log)."""

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from gigcx.db import migrate
from gigcx.db.session import make_engine
from gigcx.errors import DomainError
from gigcx.experts import service as experts_service
from gigcx.experts.enums import Presence
from gigcx.experts.models import Expert, ExpertCapacity
from gigcx.experts.schemas import ExpertProfile
from gigcx.kit import clock
from gigcx.routing import memory, scoring
from gigcx.routing import service as routing_service
from gigcx.routing.models import RoutingChange
from gigcx.routing.queries import find_candidates
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import OfferStatus, TicketStatus
from gigcx.tickets.models import Offer, Ticket
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket

STEPS = 40
LANGUAGES = ("en", "de")
CHANNELS = ("chat", "email")


def candidates(pool: memory.Pool) -> list[scoring.Candidate]:
    return sorted(pool.candidates(), key=lambda c: c.expert_id.int)


def from_sql(session: Session, ticket: Ticket) -> list[scoring.Candidate]:
    found = find_candidates(session, ticket, required_level=1)
    return sorted(found, key=lambda c: c.expert_id.int)


def from_memory(session: Session, ticket: Ticket) -> list[scoring.Candidate]:
    return candidates(memory.pool(session, ticket, required_level=1))


def same(left: list[scoring.Candidate], right: list[scoring.Candidate], what: str = "") -> None:
    def key(c: scoring.Candidate) -> tuple[Any, ...]:
        idle = round(c.idle_since.timestamp(), 3)
        return (c.expert_id, c.skill_level, c.proficiency, c.quality_score, c.capacity, idle)

    assert [key(c) for c in left] == [key(c) for c in right], what
    assert [(c.working, c.pending) for c in left] == [(c.working, c.pending) for c in right], what


class Market:
    """A program, experts and tickets, changed at random one step at a time."""

    def __init__(self, session: Session, seed: int) -> None:
        self.rng = random.Random(seed)
        brand = make_brand(session)
        self.program = make_program(session, brand, languages=LANGUAGES, offers_at_once=2)
        self.expert_ids = [
            make_expert(
                session,
                programs=[self.program],
                languages={"en": 5, "de": 3} if n % 2 else {"en": 4},
                skills={"billing": 1 + n % 5},
                capacity={"chat": 1 + n % 3, "email": n % 2 * 2},
            ).id
            for n in range(6)
        ]
        self.ticket_ids: list[uuid.UUID] = []

    def step(self, session: Session) -> str:
        """Make one random change; return what it was."""
        rng = self.rng
        expert_id = rng.choice(self.expert_ids)
        choice = rng.randrange(7)
        if choice == 0:
            presence = rng.choice(list(Presence))
            experts_service.set_presence(
                session, as_expert(session.get_one(Expert, expert_id)), presence
            )
            return f"presence {presence}"
        if choice == 1:
            capacity = {channel: rng.randint(0, 3) for channel in CHANNELS}
            profile = ExpertProfile.model_validate({"capacity": capacity})
            experts_service.update_profile(
                session, as_expert(session.get_one(Expert, expert_id)), profile
            )
            return f"capacity {capacity}"
        if choice == 2:
            session.execute(
                update(ExpertCapacity)
                .where(ExpertCapacity.expert_id == expert_id)
                .values(max_concurrent=rng.randint(0, 3))
            )
            session.expire_all()
            return "capacity in bulk"
        if choice == 3 or not self.ticket_ids:
            channel = rng.choice(CHANNELS)
            ticket = make_ticket(
                session, self.program, language=rng.choice(LANGUAGES), channel=channel
            )
            self.ticket_ids.append(ticket.id)
            return f"ticket on {channel}: {ticket.status}"
        offer = session.scalar(
            select(Offer).where(Offer.status == OfferStatus.PENDING).order_by(Offer.created_at)
        )
        if choice == 4 and offer is not None:
            expert = session.get_one(Expert, offer.expert_id)
            try:
                routing_service.accept_offer(session, as_expert(expert), offer.id)
            except DomainError as error:  # at capacity: the database refuses the claim
                return f"accept refused: {type(error).__name__}"
            return "accepted"
        if choice == 5 and offer is not None:
            routing_service.decline_offer(
                session, as_expert(session.get_one(Expert, offer.expert_id)), offer.id
            )
            return "declined"
        assigned = session.scalar(
            select(Ticket).where(Ticket.status == TicketStatus.ASSIGNED).limit(1)
        )
        if assigned is not None and assigned.assignee_id is not None:
            principal = as_expert(session.get_one(Expert, assigned.assignee_id))
            tickets_service.resolve(session, principal, assigned.id)
            return "resolved"
        return "nothing"

    def probe(self, session: Session) -> list[Ticket]:
        """A ticket for each language and channel, not stored: what routing would be asked."""
        program = self.program
        return [
            cast(
                Ticket,
                SimpleNamespace(
                    id=uuid.uuid4(),
                    brand_id=program.brand_id,
                    program_id=program.id,
                    program=program,
                    language=language,
                    category="billing",
                    channel=channel,
                    offer_count=0,
                ),
            )
            for language in LANGUAGES
            for channel in CHANNELS
        ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_within_one_transaction_memory_and_statement_agree(session: Session, seed: int) -> None:
    market = Market(session, seed)
    for _ in range(STEPS):
        what = market.step(session)
        session.flush()
        for ticket in market.probe(session):
            same(from_memory(session, ticket), from_sql(session, ticket), what)
        for ticket_id in market.ticket_ids[-2:]:
            ticket = session.get_one(Ticket, ticket_id)
            same(from_memory(session, ticket), from_sql(session, ticket))


@pytest.fixture
def committing(engine: Engine, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions that commit for real: a SQLite file of its own (PostgreSQL: tests/concurrency)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the PostgreSQL lane proves this in tests/concurrency/test_memory_postgres.py")
    url = f"sqlite:///{tmp_path / 'memory.db'}"
    migrate.upgrade(url)
    own = make_engine(url)
    yield sessionmaker(bind=own, expire_on_commit=False)
    memory.forget(own)
    own.dispose()


@contextmanager
def unit(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session, session.begin():
        yield session


def test_committed_changes_reach_the_memory_of_another_unit_of_work(
    committing: sessionmaker[Session],
) -> None:
    with unit(committing) as session:
        market = Market(session, 11)
    for _ in range(STEPS):
        with unit(committing) as session:
            market.step(session)
        with unit(committing) as session:
            program = session.get_one(type(market.program), market.program.id)
            market.program = program
            for ticket in market.probe(session):
                same(from_memory(session, ticket), from_sql(session, ticket))


def test_a_rolled_back_change_never_enters_the_memory(committing: sessionmaker[Session]) -> None:
    with unit(committing) as session:
        market = Market(session, 5)
        expert_id = market.expert_ids[0]
    probe = None
    with committing() as session:
        expert = session.get_one(Expert, expert_id)
        experts_service.set_presence(session, as_expert(expert), Presence.AWAY)
        session.flush()
        probe = market.probe(session)[0]
        seen = {c.expert_id for c in from_memory(session, probe)}
        assert expert_id not in seen  # its own change, read in the transaction
        session.rollback()
    with unit(committing) as session:
        market.program = session.get_one(type(market.program), market.program.id)
        for ticket in market.probe(session):
            same(from_memory(session, ticket), from_sql(session, ticket))
        assert session.scalar(select(RoutingChange.id).limit(1)) is not None


def test_the_change_log_is_trimmed_to_an_hour(session: Session) -> None:
    Market(session, 3)
    session.flush()
    assert session.scalar(select(RoutingChange.id).limit(1)) is not None
    assert memory.trim(session) == 0  # all of it is newer than an hour
    session.execute(update(RoutingChange).values(changed_at=clock.now().replace(year=2020)))
    assert memory.trim(session) > 0
    assert session.scalar(select(RoutingChange.id).limit(1)) is None


def test_a_log_emptied_by_hand_makes_the_memory_start_over(
    committing: sessionmaker[Session],
) -> None:
    with unit(committing) as session:
        market = Market(session, 8)
    with unit(committing) as session:
        for ticket in market.probe(session):
            from_memory(session, ticket)
    with unit(committing) as session:
        session.execute(delete(RoutingChange))
        # As a recreated table: ids start again from 1, below what the memory read.
        session.execute(text("DELETE FROM sqlite_sequence WHERE name = 'routing_changes'"))
        experts_service.set_presence(
            session, as_expert(session.get_one(Expert, market.expert_ids[0])), Presence.AWAY
        )
    memory.memory_for(committing.kw["bind"]).refresh()
    with unit(committing) as session:
        market.program = session.get_one(type(market.program), market.program.id)
        for ticket in market.probe(session):
            found = from_memory(session, ticket)
            same(found, from_sql(session, ticket))
            assert market.expert_ids[0] not in {c.expert_id for c in found}
