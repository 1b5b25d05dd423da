"""On PostgreSQL, change-log ids become visible out of order: a transaction that took id N can
commit after one that took N + 1 and was already read. The in-memory roster keeps N as a gap and
reads it when it commits; a gap left by a rollback is dropped once no transaction can fill it."""

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gigcx.db.session import make_engine
from gigcx.experts import service as experts_service
from gigcx.experts.enums import Presence
from gigcx.experts.models import Expert
from gigcx.routing import memory
from tests.concurrency.conftest import committing_database_url  # noqa: F401
from tests.factories.experts import as_expert
from tests.routing.test_memory import Market, from_memory, from_sql, same


@pytest.fixture
def engine_(committing_database_url: str) -> Iterator[Engine]:  # noqa: F811
    engine = make_engine(committing_database_url, pool_size=4)
    yield engine
    memory.forget(engine)
    engine.dispose()


def agree(factory: sessionmaker[Session], market: Market) -> set[object]:
    """Memory and statement agree for every probe; return the experts they offer chat to."""
    with factory() as session, session.begin():
        market.program = session.get_one(type(market.program), market.program.id)
        seen: set[object] = set()
        for ticket in market.probe(session):
            found = from_memory(session, ticket)
            same(found, from_sql(session, ticket))
            seen.update(c.expert_id for c in found)
        return seen


def set_presence(session: Session, expert_id: object, presence: Presence) -> None:
    experts_service.set_presence(session, as_expert(session.get_one(Expert, expert_id)), presence)
    session.flush()


def test_a_change_committed_after_a_later_one_still_reaches_the_memory(engine_: Engine) -> None:
    factory = sessionmaker(bind=engine_, expire_on_commit=False)
    with factory() as session, session.begin():
        market = Market(session, 21)
    first, second = market.expert_ids[0], market.expert_ids[1]
    assert {first, second} <= agree(factory, market)

    slow = factory()
    slow.begin()
    set_presence(slow, first, Presence.AWAY)  # takes log id N, not committed yet
    with factory() as session, session.begin():
        set_presence(session, second, Presence.AWAY)  # takes N + 1, committed first
    kept = memory.memory_for(engine_)
    kept.refresh()  # the memory reads N + 1 and keeps N as a gap
    assert kept.gaps
    seen = agree(factory, market)
    assert first in seen and second not in seen

    slow.commit()
    slow.close()
    kept.refresh()  # reads N now: nothing is left unread, the next decision is the memory's
    assert not kept.gaps
    assert first not in agree(factory, market)


def test_a_gap_left_by_a_rollback_is_dropped(engine_: Engine) -> None:
    factory = sessionmaker(bind=engine_, expire_on_commit=False)
    with factory() as session, session.begin():
        market = Market(session, 22)
    agree(factory, market)
    with factory() as session:
        session.begin()
        set_presence(session, market.expert_ids[0], Presence.AWAY)
        session.rollback()
    with factory() as session, session.begin():
        set_presence(session, market.expert_ids[1], Presence.AWAY)
    kept = memory.memory_for(engine_)
    kept.refresh()  # reads the commit after the rolled-back id: a gap
    assert kept.gaps
    kept.refresh()  # no transaction that could write it is still open
    assert not kept.gaps
    agree(factory, market)


def test_decisions_in_threads_share_one_memory(engine_: Engine) -> None:
    factory = sessionmaker(bind=engine_, expire_on_commit=False)
    with factory() as session, session.begin():
        market = Market(session, 23)
    errors: list[BaseException] = []

    def decide() -> None:
        # Commits land between the two reads here: only the memory is read while they run.
        try:
            for _ in range(10):
                with factory() as session, session.begin():
                    for ticket in market.probe(session):
                        from_memory(session, ticket)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=decide) for _ in range(3)]
    for thread in threads:
        thread.start()
    for _ in range(10):
        with factory() as session, session.begin():
            market.step(session)
    for thread in threads:
        thread.join()
    assert not errors
    agree(factory, market)
