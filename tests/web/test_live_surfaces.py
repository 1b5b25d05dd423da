"""The staff live queue, the customer's conversation page and the chat widget wait on change
notifications: what changes after connecting is pushed, an idle stream reads nothing, and a
reconnect with Last-Event-ID resumes without loss. (The expert's offer feed: test_live_feeds.)"""

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from gigcx.api import sse
from gigcx.brands.models import Brand, Program
from gigcx.channels.chat import service as chat_service
from gigcx.channels.chat.models import ChatSession
from gigcx.db import notify
from gigcx.kit import clock
from gigcx.tickets import service as tickets_service
from gigcx.web.routes.brand_queue import AFTER_CHANGE_SECONDS, render_queue
from tests.api.helpers import build_marketplace
from tests.channels.chat.helpers import make_chat_site, start, token_header
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.feeds import Feeds, wakeups_held
from tests.factories.tickets import make_ticket, run_jobs
from tests.web.helpers import next_event, next_ping, web_sign_in
from tests.web.test_customer_pages import market_of, path_of, ticket_id_of, write_in

QUEUE = "/brand/queue/stream"
IDLE_ROUNDS = 5


@pytest.fixture(autouse=True)
def quick_pings(monkeypatch: pytest.MonkeyPatch) -> None:
    # A ping says the stream has read the database and waits; each one marks an idle wait,
    # where a polling stream read the database every time.
    monkeypatch.setattr(sse, "PING_SECONDS", 0.001)


def idle_reads(lines: Iterator[str], statements: list[str]) -> int:
    statements.clear()
    for _ in range(IDLE_ROUNDS):
        next_ping(lines)
    return len(statements)


def test_the_live_queue_is_pushed_reads_nothing_while_idle_and_resumes(
    client: TestClient, session: Session, statements: list[str]
) -> None:
    market = build_marketplace(client, session, experts=1)
    client.cookies.clear()
    web_sign_in(client, market.brand_admin_email)
    program = session.get_one(Program, uuid.UUID(market.program_id))

    with client.stream("GET", QUEUE) as stream:
        lines = stream.iter_lines()
        before = next_event(lines)
        read_while_idle = idle_reads(lines, statements)
        make_ticket(session, program, subject="Arrived while watching")
        session.commit()
        pushed = next_event(lines)
    make_ticket(session, program, subject="Arrived while away")
    session.commit()
    with client.stream("GET", QUEUE, headers={"Last-Event-ID": pushed["id"]}) as stream:
        missed = next_event(stream.iter_lines())
    with client.stream("GET", QUEUE, headers={"Last-Event-ID": missed["id"]}) as stream:
        # Up to date: nothing is sent again, the stream waits.
        next_ping(stream.iter_lines())

    assert read_while_idle == 0
    assert "Arrived while watching" not in before["data"]
    assert "Arrived while watching" in pushed["data"]
    assert "Arrived while away" not in pushed["data"]
    assert "Arrived while away" in missed["data"]
    assert len({before["id"], pushed["id"], missed["id"]}) == 3


def test_the_live_queue_renders_again_by_the_clock_only_when_something_falls_due(
    session: Session, factory: sessionmaker[Session]
) -> None:
    brand = make_brand(session)
    program = make_program(
        session, brand, offer_ttl_seconds=300, first_response_seconds=3600, resolution_seconds=7200
    )
    staff = brand_admin(brand)
    make_expert(session, programs=[program], skills={"billing": 5})
    session.commit()
    start_at = clock.now()
    with clock.frozen_at(start_at):
        nothing_due = render_queue(factory, staff)
        make_ticket(session, program)
        session.commit()
    with clock.frozen_at(start_at + timedelta(seconds=100)):
        offer_out = render_queue(factory, staff)

    assert nothing_due.refresh_seconds is None
    # The offer runs out 300 s after it was made: the queue looks again just after that.
    assert offer_out.refresh_seconds == pytest.approx(200 + AFTER_CHANGE_SECONDS)


def test_the_conversation_page_is_pushed_reads_nothing_while_idle_and_resumes(
    client: TestClient, session: Session, statements: list[str]
) -> None:
    market = market_of(client, session, experts=1)
    link = write_in(client, path_of(session, market))
    ticket_id = uuid.UUID(ticket_id_of(link))
    staff = brand_admin(session.get_one(Brand, uuid.UUID(market.brand_id)))

    with client.stream("GET", f"{link}/stream") as stream:
        lines = stream.iter_lines()
        before = next_event(lines)
        read_while_idle = idle_reads(lines, statements)
        tickets_service.reply(
            session, staff, ticket_id, "Answered while watching.", is_internal=False
        )
        session.commit()
        pushed = next_event(lines)
    tickets_service.reply(session, staff, ticket_id, "Answered while away.", is_internal=False)
    session.commit()
    with client.stream("GET", f"{link}/stream", headers={"Last-Event-ID": pushed["id"]}) as stream:
        missed = next_event(stream.iter_lines())
    with client.stream("GET", f"{link}/stream", headers={"Last-Event-ID": missed["id"]}) as stream:
        next_ping(stream.iter_lines())

    assert read_while_idle == 0
    assert "Answered while watching." not in before["data"]
    assert "Answered while watching." in pushed["data"]
    assert "Answered while away." in missed["data"]
    assert len({before["id"], pushed["id"], missed["id"]}) == 3


def chat_events(lines: Iterator[str], kind: str) -> Iterator[dict[str, str]]:
    """The stream's events named ``kind`` (the opening ``retry`` field is no event)."""
    while True:
        found = next_event(lines)
        if found.get("event") == kind:
            yield found


def test_the_chat_widget_is_pushed_reads_nothing_while_idle_and_resumes(
    client: TestClient, session: Session, factory: sessionmaker[Session], statements: list[str]
) -> None:
    site = make_chat_site(session)
    chat = start(client, site)
    ticket_id = session.get_one(ChatSession, uuid.UUID(chat["session_id"])).ticket_id
    staff = brand_admin(site.brand)
    url = f"/api/v1/chat/sessions/{chat['session_id']}/events"

    with client.stream("GET", url, headers=token_header(chat)) as stream:
        lines = stream.iter_lines()
        next(chat_events(lines, "state"))
        read_while_idle = idle_reads(lines, statements)
        with wakeups_held():
            tickets_service.reply(
                session, staff, ticket_id, "Answered while watching.", is_internal=False
            )
            session.commit()
            run_jobs(factory)
        pushed = next(chat_events(lines, "message"))
    tickets_service.reply(session, staff, ticket_id, "Answered while away.", is_internal=False)
    session.commit()
    run_jobs(factory)
    resumed = {**token_header(chat), "Last-Event-ID": pushed["id"]}
    with client.stream("GET", url, headers=resumed) as stream:
        missed = next(chat_events(stream.iter_lines(), "message"))

    assert read_while_idle == 0
    assert json.loads(pushed["data"])["body"] == "Answered while watching."
    assert json.loads(missed["data"])["body"] == "Answered while away."
    assert int(missed["id"]) == int(pushed["id"]) + 1


def test_the_widgets_presence_heartbeat_wakes_no_feed(client: TestClient, session: Session) -> None:
    site = make_chat_site(session)
    chat_id = uuid.UUID(start(client, site)["session_id"])
    chat = session.get_one(ChatSession, chat_id)
    feeds = Feeds()
    try:
        watching = feeds.subscribe(notify.ticket_topic(chat.ticket_id), notify.chat_topic(chat_id))

        chat_service.touch_visitor(session, chat_id)
        session.commit()
        feeds.settle()
        after_heartbeat = watching.wakeups
        chat_service.visitor_typing(session, chat)
        session.commit()
        woken = feeds.woken(watching)
    finally:
        feeds.close()

    assert after_heartbeat == 0
    assert woken is True
