"""Change notifications in one process: a commit wakes the feeds of the topics it changed."""

import time
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from gigcx.app import listen_url
from gigcx.config import get_settings
from gigcx.db import fanout, notify
from gigcx.db.session import make_engine
from gigcx.experts import service as experts_service
from gigcx.experts.enums import Presence
from gigcx.kit import metrics
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.feeds import Feeds
from tests.factories.tickets import make_ticket


@pytest.fixture
def feeds() -> Iterator[Feeds]:
    feeds = Feeds()
    yield feeds
    feeds.close()


def test_a_committed_offer_wakes_its_experts_feed_and_its_brands_queue_only(
    session: Session, feeds: Feeds
) -> None:
    brand, other_brand = make_brand(session), make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program], skills={"billing": 5})
    bystander = make_expert(session, programs=[make_program(session, other_brand)])
    session.commit()
    mine = feeds.subscribe(notify.expert_topic(expert.id))
    queue = feeds.subscribe(notify.brand_topic(brand.id))
    theirs = feeds.subscribe(notify.expert_topic(bystander.id))
    their_queue = feeds.subscribe(notify.brand_topic(other_brand.id))

    ticket = make_ticket(session, program)
    session.commit()

    assert feeds.woken(mine) is True
    assert feeds.woken(queue) is True
    feeds.settle()
    assert (mine.wakeups, queue.wakeups) == (1, 1)
    assert (theirs.wakeups, their_queue.wakeups) == (0, 0)
    assert routing_service.pending_offers_for(session, as_expert(expert))[0].ticket_id == ticket.id


def test_a_rolled_back_change_wakes_nobody(session: Session, feeds: Feeds) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program], skills={"billing": 5})
    session.commit()
    mine = feeds.subscribe(notify.expert_topic(expert.id))
    queue = feeds.subscribe(notify.brand_topic(brand.id))

    make_ticket(session, program)
    session.rollback()
    feeds.settle()

    assert (mine.wakeups, queue.wakeups) == (0, 0)
    assert routing_service.pending_offers_for(session, as_expert(expert)) == []


def test_nothing_leaves_before_the_commit(session: Session, feeds: Feeds) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program], skills={"billing": 5})
    session.commit()
    mine = feeds.subscribe(notify.expert_topic(expert.id))

    make_ticket(session, program)
    session.flush()
    feeds.settle()
    before_commit = mine.wakeups
    session.commit()

    assert before_commit == 0
    assert feeds.woken(mine) is True


def test_a_presence_change_wakes_the_queues_of_the_experts_brands(
    session: Session, feeds: Feeds
) -> None:
    brand, other_brand = make_brand(session), make_brand(session)
    expert = make_expert(session, programs=[make_program(session, brand)])
    make_expert(session, programs=[make_program(session, other_brand)])
    session.commit()
    queue = feeds.subscribe(notify.brand_topic(brand.id))
    their_queue = feeds.subscribe(notify.brand_topic(other_brand.id))
    every_queue = feeds.subscribe(notify.any_brand_topic())

    experts_service.set_presence(session, as_expert(expert), Presence.AWAY)
    session.commit()

    assert feeds.woken(queue) is True
    assert feeds.woken(every_queue) is True
    feeds.settle()
    assert their_queue.wakeups == 0


def test_withdrawn_offers_wake_their_experts_feeds(session: Session, feeds: Feeds) -> None:
    program = make_program(session, make_brand(session))
    expert = make_expert(session, programs=[program], skills={"billing": 5})
    ticket = make_ticket(session, program)
    session.commit()
    mine = feeds.subscribe(notify.expert_topic(expert.id))

    # A bulk UPDATE the flush does not see: the rescinding service names the topic itself.
    tickets_service.rescind_pending_offers(session, ticket)
    session.commit()

    assert feeds.woken(mine) is True
    assert routing_service.pending_offers_for(session, as_expert(expert)) == []


def test_payloads_split_below_the_postgres_limit_and_read_back() -> None:
    topics = [f"ticket:{n:036d}" for n in range(400)]

    sent = list(notify.payloads(topics, origin="here"))

    assert len(sent) == 3
    assert all(len(payload.encode()) < 8000 for payload in sent)
    read = [notify.parse(payload) for payload in sent]
    assert {notice.origin for notice in read} == {"here"}
    assert sorted(topic for notice in read for topic in notice.topics) == sorted(topics)


def test_the_lag_is_now_minus_the_commit_time_the_payload_carries() -> None:
    hub = fanout.Hub()
    five_seconds_ago = time.time() - 5.0
    (payload,) = notify.payloads(["expert:x"], origin="elsewhere", committed_at=five_seconds_ago)

    notify.handler(target=hub)(payload)

    lag = metrics.notification_lag_seconds.value()
    assert lag is not None
    assert lag >= 5.0
    assert notify.parse(payload).committed_at == pytest.approx(five_seconds_ago, abs=1e-6)


def test_feeds_fall_back_to_looking_again_where_other_processes_cannot_notify() -> None:
    hub = fanout.Hub()
    alone = (hub.refresh_seconds(None), hub.refresh_seconds(30.0))

    hub.fallback_seconds = 2.0

    assert alone == (None, 30.0)
    assert (hub.refresh_seconds(None), hub.refresh_seconds(30.0), hub.refresh_seconds(1.0)) == (
        2.0,
        2.0,
        1.0,
    )


def test_a_pooled_database_is_listened_to_only_at_a_direct_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LISTEN through a pooler in transaction mode would hear nothing (or another client's)."""
    pooled = make_engine("postgresql+psycopg://gigcx@127.0.0.1:6432/gigcx", pooled=True)
    direct = make_engine("postgresql+psycopg://gigcx@db.internal:5432/gigcx", pooled=False)

    unset = (listen_url(pooled), listen_url(direct))
    monkeypatch.setattr(
        get_settings(), "database_listen_url", "postgresql+psycopg://gigcx@db.internal:5432/gigcx"
    )
    configured = listen_url(pooled)

    assert unset == (None, direct.url)
    assert configured is not None
    assert (configured.host, configured.port) == ("db.internal", 5432)
