"""The chat API, rule by rule: keys, origins, other brands' chats, bad input, replays, resuming
streams, rate limits."""

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.channels.chat.models import ChatEvent, ChatSession
from gigcx.channels.chat.service import _sessions
from gigcx.tickets.enums import AuthorKind, TicketStatus
from gigcx.tickets.models import Message, Ticket
from tests.channels.chat.helpers import (
    SHOP,
    form,
    make_chat_site,
    read_stream,
    start,
    token_header,
    write,
)


def count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_pre_chat_form_opens_a_chat_ticket_that_is_offered_to_an_expert(
    client: TestClient, session: Session
) -> None:
    site = make_chat_site(session, languages=("en", "de"))

    response = client.post(
        "/api/v1/chat/sessions",
        json=form(site, language="de-AT"),
        headers={"Accept-Language": "fr;q=0.9"},
    )

    assert response.status_code == 201, response.text
    chat = response.json()
    ticket = session.scalars(select(Ticket)).one()
    assert (ticket.channel, ticket.language, ticket.category) == ("chat", "de", "billing")
    assert ticket.status == TicketStatus.OFFERED
    assert chat["language"] == "de"
    assert [(e["id"], e["kind"], e["data"]["body"]) for e in chat["events"]] == [
        (1, "message", "My invoice shows a double charge.")
    ]
    cookie = response.cookies.get("gigcx_chat")
    assert cookie == f"{chat['session_id']}.{chat['visitor_token']}"
    stored = session.scalars(select(ChatSession)).one()
    assert stored.token_hash != chat["visitor_token"]


def test_an_unknown_or_switched_off_key_is_not_found_and_opens_nothing(
    client: TestClient, session: Session
) -> None:
    site = make_chat_site(session)

    unknown = client.post("/api/v1/chat/sessions", json=form(site, key="pk_nothing"))
    site.widget.is_enabled = False
    session.commit()
    off = client.post("/api/v1/chat/sessions", json=form(site))

    assert (unknown.status_code, off.status_code) == (404, 404)
    assert "no chat widget is switched on with this key" in unknown.json()["detail"]
    assert (count(session, Ticket), count(session, ChatSession)) == (0, 0)


def test_a_site_the_brand_did_not_allow_is_refused_and_an_allowed_one_may_read(
    client: TestClient, session: Session
) -> None:
    site = make_chat_site(session)

    refused = client.post(
        "/api/v1/chat/sessions", json=form(site), headers={"Origin": "https://evil.example.net"}
    )
    allowed = client.post("/api/v1/chat/sessions", json=form(site), headers={"Origin": SHOP})

    assert refused.status_code == 403
    assert "https://evil.example.net may not use this chat widget" in refused.json()["detail"]
    assert "access-control-allow-origin" not in refused.headers
    assert allowed.status_code == 201
    assert allowed.headers["access-control-allow-origin"] == SHOP
    assert allowed.headers["vary"] == "Origin"
    assert count(session, Ticket) == 1


def test_the_preflight_answers_the_brands_sites_only(client: TestClient, session: Session) -> None:
    site = make_chat_site(session)
    chat = start(client, site)
    ask = {"Access-Control-Request-Method": "POST"}

    ok = client.options(
        f"/api/v1/chat/sessions/{chat['session_id']}/messages", headers={**ask, "Origin": SHOP}
    )
    by_key = client.options(
        f"/api/v1/chat/sessions?key={site.key}", headers={**ask, "Origin": SHOP}
    )
    evil = client.options(
        f"/api/v1/chat/sessions/{chat['session_id']}/messages",
        headers={**ask, "Origin": "https://evil.example.net"},
    )

    assert (ok.status_code, by_key.status_code, evil.status_code) == (204, 204, 403)
    assert ok.headers["access-control-allow-origin"] == SHOP
    assert "Idempotency-Key" in ok.headers["access-control-allow-headers"]
    assert "access-control-allow-origin" not in evil.headers


def test_the_frame_may_be_framed_only_by_the_brands_sites_and_runs_no_inline_script(
    client: TestClient, session: Session
) -> None:
    site = make_chat_site(session)

    frame = client.get(f"/chat/frame?key={site.key}", headers={"Accept-Language": "es"})
    missing = client.get("/chat/frame?key=pk_nothing")

    assert frame.status_code == 200
    policy = frame.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {SHOP}" in policy
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert '<script src="/static/chat/frame.js" defer></script>' in frame.text
    assert frame.text.count("<script") == 1
    assert missing.status_code == 404


def test_another_chats_id_or_a_wrong_token_is_not_found(
    client: TestClient, session: Session
) -> None:
    mine = make_chat_site(session)
    theirs = make_chat_site(session)
    my_chat = start(client, mine)
    their_chat = start(client, theirs, email="tom@example.com")
    client.cookies.clear()

    other_id = client.post(
        f"/api/v1/chat/sessions/{their_chat['session_id']}/messages",
        json={"body": "hello"},
        headers={**token_header(my_chat), "Idempotency-Key": "k1"},
    )
    no_token = client.post(
        f"/api/v1/chat/sessions/{my_chat['session_id']}/typing",
    )
    stream = client.get(
        f"/api/v1/chat/sessions/{their_chat['session_id']}/events?token={my_chat['visitor_token']}"
    )

    assert (other_id.status_code, no_token.status_code, stream.status_code) == (404, 404, 404)
    assert count(session, Message) == 2


def test_nul_bytes_and_oversized_messages_are_refused_and_add_nothing(
    client: TestClient, session: Session
) -> None:
    site = make_chat_site(session)
    chat = start(client, site)

    nul = write(client, chat, "hello\x00there")
    long = write(client, chat, "x" * 5001)
    huge = client.post(
        f"/api/v1/chat/sessions/{chat['session_id']}/messages",
        content=b'{"body": "' + b"y" * 3_000_000 + b'"}',
        headers={**token_header(chat), "Idempotency-Key": "k", "Content-Type": "application/json"},
    )
    bad_form = client.post("/api/v1/chat/sessions", json=form(site, name="a\x00b"))

    assert (nul.status_code, long.status_code, huge.status_code) == (422, 422, 413)
    assert bad_form.status_code == 422
    assert count(session, Message) == 1
    assert count(session, ChatEvent) == 1


def test_a_retried_message_is_added_once(client: TestClient, session: Session) -> None:
    site = make_chat_site(session)
    chat = start(client, site)

    first = write(client, chat, "Are you there?", key="retry-1")
    again = write(client, chat, "Are you there?", key="retry-1")
    missing_key = client.post(
        f"/api/v1/chat/sessions/{chat['session_id']}/messages",
        json={"body": "no key"},
        headers=token_header(chat),
    )

    assert (first.status_code, again.status_code, missing_key.status_code) == (201, 200, 400)
    assert first.json() == again.json()
    assert first.json()["id"] == 2
    assert "Idempotency-Key" in missing_key.json()["detail"]
    bodies = [m.body for m in session.scalars(select(Message).order_by(Message.created_at))]
    assert bodies == ["My invoice shows a double charge.", "Are you there?"]


def test_a_stream_resumed_with_last_event_id_gives_each_event_once_in_order(
    client: TestClient, session: Session
) -> None:
    site = make_chat_site(session)
    chat = start(client, site)
    for n in range(1, 5):
        assert write(client, chat, f"message {n}").status_code == 201

    first, _ = read_stream(client, chat, messages=2)
    rest, state = read_stream(client, chat, last_event_id=first[-1]["id"])
    after_all, _ = read_stream(client, chat, last_event_id=5)

    assert [e["id"] for e in first] == [1, 2]
    assert [e["id"] for e in rest] == [3, 4, 5]
    assert [e["body"] for e in first + rest] == [
        "My invoice shows a double charge.",
        "message 1",
        "message 2",
        "message 3",
        "message 4",
    ]
    assert after_all == []
    assert state is not None and state["status"] == "offered"


def test_the_stream_shows_what_the_customer_sees_never_internal_notes(
    client: TestClient, session: Session, factory: object
) -> None:
    from gigcx.routing import service as routing_service
    from gigcx.tickets import service as tickets_service
    from gigcx.tickets.models import Offer
    from tests.factories.experts import as_expert
    from tests.factories.tickets import run_jobs

    site = make_chat_site(session)
    chat = start(client, site)
    ticket = session.scalars(select(Ticket)).one()
    offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
    expert = as_expert(site.expert)
    routing_service.accept_offer(session, expert, offer.id)
    tickets_service.reply(session, expert, ticket.id, "Customer seems upset", is_internal=True)
    tickets_service.reply(session, expert, ticket.id, "I refunded one charge.", is_internal=False)
    session.commit()
    run_jobs(factory)  # type: ignore[arg-type]

    events, state = read_stream(client, chat)

    assert [(e["author_kind"], e["body"], e["is_own"]) for e in events] == [
        (AuthorKind.CUSTOMER, "My invoice shows a double charge.", True),
        (AuthorKind.EXPERT, "I refunded one charge.", False),
    ]
    assert events[1]["author"] == f"{site.brand.name} support"
    assert state is not None and state["status"] == "assigned"


def test_chats_over_the_limit_are_refused_with_retry_after(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_chat_site(session)
    monkeypatch.setattr(_sessions, "STARTS_PER_ADDRESS", 2)
    start(client, site)
    start(client, site, email="second@example.com")

    refused = client.post("/api/v1/chat/sessions", json=form(site, email="third@example.com"))

    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 600
    assert refused.json()["detail"].startswith(
        "too many chats started from this address: at most 2 in 10 minutes; try again in"
    )
    assert count(session, Ticket) == 2


def test_messages_over_the_limit_are_refused_with_retry_after(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_chat_site(session)
    monkeypatch.setattr(_sessions, "MESSAGES_PER_CHAT", 2)
    chat = start(client, site)

    allowed = write(client, chat, "second")
    refused = write(client, chat, "third")

    assert (allowed.status_code, refused.status_code) == (201, 429)
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "at most 2 a minute" in refused.json()["detail"]
    assert count(session, Message) == 2


def test_a_chat_start_per_key_limit_holds_across_addresses(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_chat_site(session)
    monkeypatch.setattr(_sessions, "STARTS_PER_KEY", 1)
    start(client, site)

    refused = client.post("/api/v1/chat/sessions", json=form(site, email="b@example.com"))

    assert refused.status_code == 429
    assert "from this key" in refused.json()["detail"]
    assert str(uuid.UUID(str(session.scalars(select(ChatSession.id)).one())))
