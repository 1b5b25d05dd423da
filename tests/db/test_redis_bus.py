"""Change notifications over Redis pub/sub: real commits, a real Redis, another process's hub.

The listener here stands for another server process: it hears every commit, this process's
included, and wakes its own hub's feeds. Each test has a channel of its own.
"""

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from gigcx.app import listen_for_changes
from gigcx.config import get_settings
from gigcx.db import fanout, notify, redis_bus
from gigcx.kit import metrics
from gigcx.routing import service as routing_service
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.feeds import GUARD_SECONDS, Feeds
from tests.factories.tickets import make_ticket
from tests.servers.redis_server import PrivateRedis, use_redis

pytestmark = pytest.mark.usefixtures("close_publishers")


class OtherProcess(Feeds):
    """A hub fed by its own Redis subscriber, with subscriptions on its own loop."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__(fanout.Hub())
        self.listener = redis_bus.RedisListener(
            url,
            channel=channel,
            handle=notify.handler(origin="another process", target=self.hub),
            target=self.hub,
        ).start()
        assert self.listener.listening.wait(GUARD_SECONDS)

    def close(self) -> None:
        self.listener.stop()
        super().close()


@pytest.fixture
def other(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis_channel: str
) -> Iterator[OtherProcess]:
    use_redis(monkeypatch, redis_url, redis_channel)
    process = OtherProcess(redis_url, redis_channel)
    yield process
    process.close()


def test_a_commit_reaches_another_process_through_redis_with_its_topics_only(
    session: Session, other: OtherProcess, statements: list[str]
) -> None:
    brand, other_brand = make_brand(session), make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program], skills={"billing": 5})
    bystander = make_expert(session, programs=[make_program(session, other_brand)])
    session.commit()
    other.catch_up(session)
    mine = other.subscribe(notify.expert_topic(expert.id))
    queue = other.subscribe(notify.brand_topic(brand.id))
    theirs = other.subscribe(notify.expert_topic(bystander.id), notify.brand_topic(other_brand.id))

    make_ticket(session, program)
    session.commit()

    assert other.woken(mine) is True
    assert other.woken(queue) is True
    other.settle()
    assert theirs.wakeups == 0
    assert len(routing_service.pending_offers_for(session, as_expert(expert))) == 1
    # Redis carries them instead of the database, on PostgreSQL too.
    assert [sql for sql in statements if "pg_notify" in sql] == []


def test_a_rolled_back_change_publishes_nothing(session: Session, other: OtherProcess) -> None:
    program = make_program(session, make_brand(session))
    rolled_back = make_expert(session, programs=[program], skills={"billing": 5})
    later_program = make_program(session, make_brand(session))
    committed = make_expert(session, programs=[later_program], skills={"billing": 5})
    session.commit()
    other.catch_up(session)
    undone = other.subscribe(notify.expert_topic(rolled_back.id))
    done = other.subscribe(notify.expert_topic(committed.id))

    make_ticket(session, program)
    session.rollback()
    make_ticket(session, later_program)
    session.commit()

    # Notifications arrive in commit order: the later commit's came, the rollback's never will.
    assert other.woken(done) is True
    other.settle()
    assert undone.wakeups == 0


def test_the_listener_measures_how_long_a_notification_took(
    session: Session, other: OtherProcess
) -> None:
    expert = make_expert(session, programs=[make_program(session, make_brand(session))])
    session.commit()
    other.catch_up(session)
    feed = other.subscribe(notify.expert_topic(expert.id))
    metrics.notification_lag_seconds.clear()

    notify.touch(session, notify.expert_topic(expert.id))
    session.commit()

    assert other.woken(feed) is True
    lag = metrics.notification_lag_seconds.value()
    assert lag is not None
    assert lag >= 0.0


def test_a_listener_whose_connection_is_killed_wakes_every_feed(
    session: Session, other: OtherProcess, redis_url: str, redis_channel: str
) -> None:
    expert = make_expert(session, programs=[make_program(session, make_brand(session))])
    session.commit()
    other.catch_up(session)
    feed = other.subscribe(notify.expert_topic(expert.id))
    before = other.listener.confirmations

    admin = redis_bus.client(redis_url)
    ours = [
        client["id"]
        for client in admin.client_list(_type="pubsub")
        if client["name"] == redis_bus.listener_name(redis_channel)
    ]
    for client_id in ours:
        admin.client_kill_filter(_id=client_id)
    admin.close()

    # Notifications sent while it was away are lost: every feed looks again.
    assert other.woken(feed) is True
    assert other.listener.listening.wait(GUARD_SECONDS)
    assert other.listener.confirmations >= before + 1


def test_a_redis_outage_fails_no_commit_and_every_feed_catches_up_after_it(
    monkeypatch: pytest.MonkeyPatch,
    session: Session,
    private_redis: PrivateRedis,
    redis_channel: str,
) -> None:
    use_redis(monkeypatch, private_redis.url, redis_channel)
    other = OtherProcess(private_redis.url, redis_channel)
    here = Feeds()
    try:
        expert = make_expert(session, programs=[make_program(session, make_brand(session))])
        session.commit()
        other.catch_up(session)
        theirs = other.subscribe(notify.expert_topic(expert.id))
        unrelated = other.subscribe("expert:unrelated")
        mine = here.subscribe(notify.expert_topic(expert.id))

        private_redis.stop()
        # The listener has noticed: its feeds look again on a timer meanwhile.
        assert other.woken(theirs) is True
        notify.touch(session, notify.expert_topic(expert.id))
        session.commit()
        publisher = notify.publisher()
        assert publisher is not None
        assert publisher.lost.wait(GUARD_SECONDS)
        outage = (other.hub.fallback_seconds, here.woken(mine))
        other.settle()
        woken_during = unrelated.wakeups

        private_redis.start()
        assert other.listener.listening.wait(GUARD_SECONDS)
        notify.touch(session, notify.expert_topic(expert.id))
        session.commit()
        other.catch_up(session)
        other.settle()
    finally:
        here.close()
        other.close()

    assert outage == (2.0, True)
    assert other.hub.fallback_seconds is None
    # Woken twice since: the listener reconnected, and the publisher said it had dropped some.
    assert unrelated.wakeups == woken_during + 2
    assert not publisher.lost.is_set()


def test_a_server_with_redis_configured_listens_there(
    monkeypatch: pytest.MonkeyPatch,
    redis_url: str,
    redis_channel: str,
    factory: sessionmaker[Session],
) -> None:
    use_redis(monkeypatch, redis_url, redis_channel)
    # Several server processes: on SQLite too, they push to each other rather than look again.
    monkeypatch.setattr(get_settings(), "api_processes", 2)
    feeds = Feeds()
    listener = listen_for_changes(factory)
    try:
        assert isinstance(listener, redis_bus.RedisListener)
        assert listener.listening.wait(GUARD_SECONDS)
        assert fanout.hub().fallback_seconds is None
        feed = feeds.subscribe("expert:from-elsewhere")
        sender = redis_bus.client(redis_url)
        (payload,) = notify.payloads(["expert:from-elsewhere"], origin="another process")
        sender.publish(redis_channel, payload)
        sender.close()

        assert feeds.woken(feed) is True
    finally:
        if listener is not None:
            listener.stop()
        feeds.close()
