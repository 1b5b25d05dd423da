"""Live feeds over server-sent events: pushed on change, resumed with Last-Event-ID, and idle
feeds read nothing from the database however many are open."""

import uuid
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIRouter
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gigcx.api import sse
from gigcx.api.deps import get_session
from gigcx.brands.models import Program
from gigcx.web.routes import brand_queue, customer, expert_chat, expert_work
from tests.api.helpers import build_marketplace
from tests.factories.tickets import make_ticket
from tests.web.helpers import next_event, next_ping, web_sign_in

FEED = "/expert/offers/stream"


def expert_client(client: TestClient, session: Session) -> Program:
    market = build_marketplace(client, session, experts=1)
    client.cookies.clear()
    web_sign_in(client, market.expert_emails[0])
    return session.get_one(Program, uuid.UUID(market.program_id))


def test_an_offer_made_after_connecting_arrives_on_the_feed(
    client: TestClient, session: Session
) -> None:
    program = expert_client(client, session)

    with client.stream("GET", FEED) as stream:
        lines = stream.iter_lines()
        empty = next_event(lines)
        ticket = make_ticket(session, program, subject="Parcel never came")
        session.commit()
        offered = next_event(lines)

    assert empty["event"] == "html"
    assert "/accept" not in empty["data"]
    assert offered["event"] == "html"
    assert ticket.subject in offered["data"]
    assert "/accept" in offered["data"]
    assert offered["id"] != empty["id"]


def test_a_reconnect_with_last_event_id_sends_what_changed_and_nothing_again(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = expert_client(client, session)
    # A ping says the stream has read the database and waits (and lets the test write).
    monkeypatch.setattr(sse, "PING_SECONDS", 0.001)
    with client.stream("GET", FEED) as stream:
        before = next_event(stream.iter_lines())
    # Changed while the browser was away.
    make_ticket(session, program)
    session.commit()

    with client.stream("GET", FEED, headers={"Last-Event-ID": before["id"]}) as stream:
        missed = next_event(stream.iter_lines())
    with client.stream("GET", FEED, headers={"Last-Event-ID": missed["id"]}) as stream:
        lines = stream.iter_lines()
        # Up to date: the stream stays quiet until the next change, which comes next.
        next_ping(lines)
        make_ticket(session, program)
        session.commit()
        following = next_event(lines)

    assert missed["data"].count("/accept") == 1
    assert following["data"].count("/accept") == 2
    assert len({before["id"], missed["id"], following["id"]}) == 3


@pytest.mark.parametrize("viewers", [1, 50])
def test_idle_feeds_read_nothing_however_many_are_open(
    client: TestClient,
    session: Session,
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
    viewers: int,
) -> None:
    program = expert_client(client, session)
    make_ticket(session, program)
    session.commit()
    # Each ping marks one more idle wait, where a polling feed read the database every time.
    monkeypatch.setattr(sse, "PING_SECONDS", 0.001)
    with ExitStack() as stack:
        streams: list[Iterator[str]] = []
        for _ in range(viewers):
            response: httpx.Response = stack.enter_context(client.stream("GET", FEED))
            streams.append(response.iter_lines())
            assert "/accept" in next_event(streams[-1])["data"]
        statements.clear()

        for _ in range(5):
            for lines in streams:
                next_ping(lines)
        read_while_idle = len(statements)

    assert read_while_idle == 0


def test_the_offer_feed_sends_a_signed_out_browser_to_sign_in(client: TestClient) -> None:
    answer = client.get(FEED, follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={FEED}"


def test_the_offer_feed_refuses_brand_staff(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)
    client.cookies.clear()
    web_sign_in(client, market.brand_admin_email)

    answer = client.get(FEED, follow_redirects=False)

    assert answer.status_code == 403
    assert "for experts" in answer.text


def _calls(dependant: Dependant) -> Iterator[object]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


STREAMS = (
    (expert_work.router, FEED),
    (brand_queue.router, "/brand/queue/stream"),
    (customer.router, "/c/{token}/stream"),
    (expert_chat.router, "/expert/tickets/{ticket_id}/chat/stream"),
)


@pytest.mark.parametrize(("router", "path"), STREAMS)
def test_no_live_stream_holds_a_request_session_while_it_streams(
    router: APIRouter, path: str
) -> None:
    """What a stream checks when it opens is read in one thread hop (``web.deps.stream_session``):
    with the request session, feeds reconnecting together held every pooled connection while
    queueing for threads that waited for a connection (bench/load.py: 0 of 1,000 feeds opened
    at once showed, 500s after the pool's 30 s timeout)."""
    (route,) = [r for r in router.routes if getattr(r, "path", None) == path]
    assert isinstance(route, APIRoute)

    assert get_session not in set(_calls(route.dependant))
