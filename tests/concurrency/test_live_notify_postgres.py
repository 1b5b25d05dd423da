"""Change notifications across processes on PostgreSQL: LISTEN/NOTIFY with real commits.

The listener here stands for another server process: it hears every commit, this process's
included, and wakes its own hub's feeds.
"""

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from gigcx.db import fanout, notify
from gigcx.db.session import make_engine
from gigcx.kit import metrics
from gigcx.routing import service as routing_service
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.feeds import GUARD_SECONDS, Feeds
from tests.factories.tickets import make_ticket


class OtherProcess(Feeds):
    """A hub fed by its own listening connection, with subscriptions on its own loop."""

    def __init__(self, url: str) -> None:
        super().__init__(fanout.Hub())
        self.listener = fanout.PostgresListener(
            make_url(url),
            channel=notify.CHANNEL,
            handle=notify.handler(origin="another process", target=self.hub),
            target=self.hub,
        ).start()
        assert self.listener.listening.wait(GUARD_SECONDS)

    def close(self) -> None:
        self.listener.stop()
        super().close()


@pytest.fixture
def factory(committing_database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(committing_database_url, pool_size=2)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def other(committing_database_url: str) -> Iterator[OtherProcess]:
    process = OtherProcess(committing_database_url)
    yield process
    process.close()


def test_a_commit_notifies_another_process_of_its_topics_only(
    factory: sessionmaker[Session], other: OtherProcess
) -> None:
    with factory() as session:
        brand, other_brand = make_brand(session), make_brand(session)
        program = make_program(session, brand)
        expert = make_expert(session, programs=[program], skills={"billing": 5})
        bystander = make_expert(session, programs=[make_program(session, other_brand)])
        session.commit()
    with factory() as session:
        other.catch_up(session)
    mine = other.subscribe(notify.expert_topic(expert.id))
    queue = other.subscribe(notify.brand_topic(brand.id))
    theirs = other.subscribe(notify.expert_topic(bystander.id), notify.brand_topic(other_brand.id))

    with factory() as session:
        make_ticket(session, program)
        session.commit()

    assert other.woken(mine) is True
    assert other.woken(queue) is True
    # One commit is one notification: once it has come, nothing else was in it.
    other.settle()
    assert theirs.wakeups == 0
    with factory() as session:
        assert len(routing_service.pending_offers_for(session, as_expert(expert))) == 1


def test_a_rolled_back_transaction_notifies_nobody(
    factory: sessionmaker[Session], other: OtherProcess
) -> None:
    with factory() as session:
        program = make_program(session, make_brand(session))
        rolled_back = make_expert(session, programs=[program], skills={"billing": 5})
        session.commit()
        later_program = make_program(session, make_brand(session))
        committed = make_expert(session, programs=[later_program], skills={"billing": 5})
        session.commit()
    with factory() as session:
        other.catch_up(session)
    undone = other.subscribe(notify.expert_topic(rolled_back.id))
    done = other.subscribe(notify.expert_topic(committed.id))

    with factory() as session:
        make_ticket(session, program)
        session.rollback()
    with factory() as session:
        make_ticket(session, later_program)
        session.commit()

    # Notifications arrive in commit order: the later commit's came, the rollback's never will.
    assert other.woken(done) is True
    other.settle()
    assert undone.wakeups == 0


def test_the_listener_measures_how_long_a_notification_took(
    factory: sessionmaker[Session], other: OtherProcess
) -> None:
    expert_id = make_expert_id(factory)
    with factory() as session:
        other.catch_up(session)
    feed = other.subscribe(notify.expert_topic(expert_id))
    metrics.notification_lag_seconds.clear()

    with factory() as session:
        notify.touch(session, *feed.topics)
        session.commit()

    assert other.woken(feed) is True
    lag = metrics.notification_lag_seconds.value()
    assert lag is not None
    assert lag >= 0.0


def test_a_listener_that_reconnects_wakes_every_feed(
    factory: sessionmaker[Session], other: OtherProcess
) -> None:
    feed = other.subscribe(notify.expert_topic(make_expert_id(factory)))
    other.listener.listening.clear()

    with factory() as session:
        session.connection().exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query LIKE 'LISTEN%%'"
        )
        session.commit()

    # Notifications sent while it was down are lost: every feed looks again.
    assert other.woken(feed) is True
    assert other.listener.listening.wait(GUARD_SECONDS)


def test_commits_notify_after_they_end_from_a_connection_of_their_own(
    factory: sessionmaker[Session], other: OtherProcess
) -> None:
    expert_id = make_expert_id(factory)
    with factory() as session:
        other.catch_up(session)
    feed = other.subscribe(notify.expert_topic(expert_id))
    sent_in_commits: list[str] = []

    def seen(*args: object) -> None:
        sent_in_commits.append(str(args[2]))

    engine = factory.kw["bind"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        with factory() as session:
            notify.touch(session, *feed.topics)
            session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", seen)

    # The writing transaction held no notification lock: the publisher's connection sent it.
    assert [sql for sql in sent_in_commits if "pg_notify" in sql] == []
    assert other.woken(feed) is True
    bus = notify.publisher(engine)
    assert isinstance(bus, fanout.PostgresPublisher)
    assert bus.lost.is_set() is False


def make_expert_id(factory: sessionmaker[Session]) -> uuid.UUID:
    with factory() as session:
        expert = make_expert(session, programs=[make_program(session, make_brand(session))])
        session.commit()
        return expert.id
