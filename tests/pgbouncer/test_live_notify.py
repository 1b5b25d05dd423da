"""Live feeds behind PgBouncer: notifications are sent through the pooler, heard directly."""

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from gigcx.db import fanout, notify
from gigcx.routing import service as routing_service
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.feeds import GUARD_SECONDS, Feeds
from tests.factories.tickets import make_ticket
from tests.servers.pgbouncer import PgBouncer


@pytest.fixture
def direct_listener(pgbouncer: PgBouncer, pooled_database: str) -> Iterator[Feeds]:
    """Another server process: its hub fed by a listener at the server's own address."""
    feeds = Feeds(fanout.Hub())
    listener = fanout.PostgresListener(
        make_url(pgbouncer.server_url.set(database=pooled_database)),
        channel=notify.CHANNEL,
        handle=notify.handler(origin="another process", target=feeds.hub),
        target=feeds.hub,
    ).start()
    assert listener.listening.wait(GUARD_SECONDS)
    yield feeds
    listener.stop()
    feeds.close()


@pytest.mark.postgres
def test_a_commit_through_the_pooler_wakes_a_feed_listening_directly(
    pooled_factory: sessionmaker[Session], direct_listener: Feeds
) -> None:
    with pooled_factory() as session:
        program = make_program(session, make_brand(session))
        expert = make_expert(session, programs=[program], skills={"billing": 5})
        session.commit()
        feed = direct_listener.subscribe(notify.expert_topic(expert.id))

        ticket = make_ticket(session, program)
        session.commit()

        assert direct_listener.woken(feed) is True
        offers = routing_service.pending_offers_for(session, as_expert(expert))
        assert [offer.ticket_id for offer in offers] == [ticket.id]
