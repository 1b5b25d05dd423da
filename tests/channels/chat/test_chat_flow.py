"""A chat's life: typing and "seen" both ways, the bot's answer and "this didn't help", the
offline offer that turns the chat into email, the expert's workspace, the console."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.assist import service as assist_service
from gigcx.assist.enums import BotAttemptStatus
from gigcx.auth.principal import Principal
from gigcx.channels.chat import service as chat_service
from gigcx.channels.chat import words
from gigcx.channels.chat.models import ChatSession, ChatWidget
from gigcx.channels.chat.tasks import MAIL_KIND, on_ticket_event
from gigcx.channels.email.models import OutboundEmail
from gigcx.channels.events import Event
from gigcx.experts.enums import Presence
from gigcx.kit import clock
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.errors import TicketNotFound
from gigcx.tickets.models import Offer, Ticket
from tests.api.helpers import build_marketplace
from tests.channels.chat.helpers import (
    ChatSite,
    make_chat_site,
    read_stream,
    start,
    token_header,
)
from tests.factories.assist import make_answer, make_retail_program
from tests.factories.brands import brand_admin, make_brand
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import run_jobs
from tests.servers.smtp import SmtpServer
from tests.web.helpers import post_form, web_sign_in

WHERE_IS_MY_ORDER = "Where is my order? The tracking number has not updated for days."


def accepted(session: Session, site: ChatSite) -> tuple[Ticket, Principal]:
    ticket = session.scalars(select(Ticket).where(Ticket.brand_id == site.brand.id)).one()
    offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
    expert = as_expert(site.expert)
    routing_service.accept_offer(session, expert, offer.id)
    session.commit()
    return ticket, expert


def post(client: TestClient, chat: dict[str, Any], path: str, body: Any = None) -> int:
    response = client.post(
        f"/api/v1/chat/sessions/{chat['session_id']}{path}",
        json=body or {},
        headers=token_header(chat),
    )
    return int(response.status_code)


def test_typing_and_seen_reach_the_other_side(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    site = make_chat_site(session)
    chat = start(client, site)
    ticket, expert = accepted(session, site)
    before = chat_service.expert_chat_state(session, expert, ticket.id)

    assert post(client, chat, "/typing") == 204
    chat_service.expert_typing(session, expert, ticket.id)
    tickets_service.reply(session, expert, ticket.id, "Let me check.", is_internal=False)
    session.commit()
    run_jobs(factory)
    _, widget_sees = read_stream(client, chat)
    session.expire_all()
    unseen = chat_service.expert_chat_state(session, expert, ticket.id)
    assert post(client, chat, "/seen", {"event_id": 2}) == 204
    session.expire_all()
    seen = chat_service.expert_chat_state(session, expert, ticket.id)

    assert before == chat_service.ExpertChatState(False, False, False, False)
    assert unseen is not None and seen is not None
    assert widget_sees is not None
    assert widget_sees["expert_typing"] == f"{site.expert.display_name.split()[0]} is typing…"
    assert (unseen.is_customer_typing, unseen.has_answer, unseen.is_latest_answer_seen) == (
        True,
        True,
        False,
    )
    assert seen.is_latest_answer_seen is True


def test_typing_ends_after_thirty_seconds_and_only_the_assignee_types(
    client: TestClient, session: Session
) -> None:
    site = make_chat_site(session)
    chat = start(client, site)
    ticket, expert = accepted(session, site)
    stranger = as_expert(make_expert(session))
    assert post(client, chat, "/typing") == 204
    chat_service.expert_typing(session, expert, ticket.id)
    session.commit()

    with clock.shifted(timedelta(seconds=31)):
        later = chat_service.expert_chat_state(session, expert, ticket.id)
        _, widget_later = read_stream(client, chat)
    with pytest.raises(TicketNotFound):
        chat_service.expert_typing(session, stranger, ticket.id)

    assert later is not None and later.is_customer_typing is False
    assert widget_later is not None and widget_later["expert_typing"] is None


def test_this_didnt_help_hands_the_bots_answer_to_an_expert(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    brand = make_brand(session)
    program = make_retail_program(session, brand)
    expert = make_expert(session, programs=[program], skills={"order-status": 3})
    make_answer(session, program)
    widget = chat_service.save_widget(
        session,
        brand.id,
        chat_service.WidgetSettings(program.id, True, [], asks_name=True, asks_topic=False),
    )
    session.commit()
    chat = client.post(
        "/api/v1/chat/sessions",
        json={"key": widget.public_key, "email": "ola@example.com", "body": WHERE_IS_MY_ORDER},
    ).json()
    run_jobs(factory)
    events, state = read_stream(client, chat)

    assert [e["author_kind"] for e in events] == ["customer", "bot"]
    assert state is not None and state["is_bot_answer_pending"] is True
    assert post(client, chat, "/bot-answer", {"helped": False}) == 204
    run_jobs(factory)
    after, state_after = read_stream(client, chat, last_event_id=2)

    ticket = session.scalars(select(Ticket).where(Ticket.brand_id == brand.id)).one()
    session.refresh(ticket)
    attempt = assist_service.bot_attempt_of(session, ticket.id)
    offers = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).all()
    assert attempt is not None and attempt.status == BotAttemptStatus.REJECTED
    assert (ticket.status, [o.expert_id for o in offers]) == (TicketStatus.OFFERED, [expert.id])
    assert [(e["id"], e["body"]) for e in after] == [(3, "This didn't help.")]
    assert state_after is not None and state_after["is_bot_answer_pending"] is False


def test_with_nobody_online_the_widget_offers_email_and_the_answer_is_mailed(
    client: TestClient, session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    site = make_chat_site(session, offline_message="We're closed; we will write to you.")
    site.expert.presence = Presence.OFFLINE
    session.commit()
    chat = start(client, site, email="nia@example.com")
    ticket = session.scalars(select(Ticket).where(Ticket.brand_id == site.brand.id)).one()

    _, state = read_stream(client, chat)
    assert post(client, chat, "/email") == 204
    staff = brand_admin(site.brand)
    tickets_service.reply(session, staff, ticket.id, "Refund issued today.", is_internal=False)
    tickets_service.reply(session, staff, ticket.id, "internal: checked", is_internal=True)
    session.commit()
    run_jobs(factory)

    assert ticket.status == TicketStatus.ESCALATED
    assert state is not None
    assert (state["is_offline"], state["offline_text"]) == (
        True,
        "We're closed; we will write to you.",
    )
    [mail] = smtp_server.received.to("nia@example.com")
    assert mail["Subject"] == f"{site.brand.name} answered your chat"
    text = mail.get_content()
    assert "Refund issued today." in text
    assert "internal: checked" not in text
    assert f"/c/{tickets_service.customer_link_token(ticket)}" in text


def test_a_visitor_still_in_the_chat_gets_no_mail_until_the_promised_time_passes(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    site = make_chat_site(session)
    chat = start(client, site)
    _, waiting = read_stream(client, chat)
    with clock.shifted(timedelta(seconds=site.widget.answer_seconds + 1)):
        _, late = read_stream(client, chat)
    ticket, expert = accepted(session, site)
    tickets_service.reply(session, expert, ticket.id, "Here I am.", is_internal=False)
    session.commit()
    run_jobs(factory)

    assert waiting is not None and (waiting["is_offline"], waiting["status_text"]) == (
        False,
        "We're finding an expert for you.",
    )
    assert late is not None and late["is_offline"] is True
    assert late["offline_text"] == "Sorry, nobody can answer right now."
    mails = session.scalars(select(OutboundEmail).where(OutboundEmail.kind == MAIL_KIND)).all()
    assert mails == []


def test_the_chat_speaks_the_visitors_language_and_every_language_has_every_string(
    client: TestClient, session: Session
) -> None:
    site = make_chat_site(session, languages=("en", "fr"))

    frame = client.get(f"/chat/frame?key={site.key}&lang=fr-CA")
    launcher = client.get(f"/api/v1/chat/widget?key={site.key}", headers={"Accept-Language": "fr"})
    english = client.get(f"/api/v1/chat/widget?key={site.key}&lang=ja")

    assert '<html lang="fr">' in frame.text
    assert "Commencer la discussion" in frame.text
    assert launcher.json()["launcher"] == "Discutez avec nous"
    assert english.json() == {
        "language": "en",
        "launcher": "Chat with us",
        "title": f"Chat with {site.brand.name}",
    }
    for table in words.WORDS.values():
        assert set(table) == set(words.EN)


def test_the_expert_workspace_follows_the_chat_and_says_typing(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    program_id = uuid.UUID(market.program_id)
    widget = chat_service.save_widget(
        session,
        uuid.UUID(market.brand_id),
        chat_service.WidgetSettings(program_id, True, [], asks_name=True, asks_topic=True),
    )
    session.commit()
    chat = client.post(
        "/api/v1/chat/sessions",
        json={"key": widget.public_key, "email": "kim@example.com", "body": "Hello?"},
    ).json()
    offer = session.scalars(select(Offer)).one()
    accept = client.post(f"/api/v1/offers/{offer.id}/accept", headers=market.experts[0])
    assert accept.status_code == 200, accept.text
    assert post(client, chat, "/typing") == 204
    web_sign_in(client, market.expert_emails[0])

    page = client.get(f"/expert/tickets/{offer.ticket_id}")
    typed = post_form(client, f"/expert/tickets/{offer.ticket_id}/typing")
    first = ""
    with client.stream("GET", f"/expert/tickets/{offer.ticket_id}/chat/stream") as stream:
        for line in stream.iter_lines():
            if line == "" and first:
                break
            first += line.removeprefix("data: ") if line.startswith("data:") else ""

    assert page.status_code == 200
    assert f'data-stream="/expert/tickets/{offer.ticket_id}/chat/stream"' in page.text
    assert f'data-typing="/expert/tickets/{offer.ticket_id}/typing"' in page.text
    assert typed.status_code == 204
    assert "The customer is typing…" in first
    session.expire_all()
    stored = session.scalars(select(ChatSession)).one()
    assert stored.typing_expert_id == offer.expert_id


def test_the_console_saves_the_widget_and_refuses_a_bad_origin(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    web_sign_in(client, market.brand_admin_email)

    empty = client.get("/brand/chat")
    bad = post_form(
        client,
        "/brand/chat",
        {
            "program_id": market.program_id,
            "is_enabled": "true",
            "allowed_origins": "shop/path",
            "answer_seconds": "120",
        },
    )
    saved = post_form(
        client,
        "/brand/chat",
        {
            "program_id": market.program_id,
            "is_enabled": "true",
            "allowed_origins": "https://Shop.example.com/\nhttp://localhost:8080",
            "asks_name": "true",
            "answer_seconds": "90",
            "offline_message": "Back at 9.",
        },
    )
    page = client.get("/brand/chat?saved=1")

    assert empty.status_code == 200 and "data-brand=" not in empty.text
    assert bad.status_code == 400
    assert "is not a site&#39;s origin" in bad.text
    assert saved.status_code == 303
    widget = session.scalars(select(ChatWidget)).one()
    assert widget.allowed_origins == ["https://shop.example.com", "http://localhost:8080"]
    assert (widget.is_enabled, widget.asks_name, widget.asks_topic) == (True, True, False)
    assert (widget.answer_seconds, widget.offline_message) == (90, "Back at 9.")
    assert f'/widget.js" data-brand="{widget.public_key}" async&gt;&lt;/script&gt;' in page.text
    renewed = post_form(client, "/brand/chat/key")
    session.refresh(widget)
    assert renewed.status_code == 303 and widget.public_key not in page.text


def test_an_answer_to_a_visitor_who_left_is_mailed_once_even_if_the_event_comes_again(
    client: TestClient, session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    site = make_chat_site(session)
    start(client, site, email="lee@example.com")
    ticket, expert = accepted(session, site)

    with clock.shifted(timedelta(seconds=91)):
        message = tickets_service.reply(session, expert, ticket.id, "Found it.", is_internal=False)
        session.commit()
        run_jobs(factory)
        again = Event(
            brand_id=site.brand.id,
            type="ticket.replied",
            occurred_at=clock.now(),
            data={"ticket_id": str(ticket.id), "message_id": str(message.id)},
        )
        on_ticket_event(session, again)
        session.commit()
        run_jobs(factory)

    [mail] = smtp_server.received.to("lee@example.com")
    assert "Found it." in mail.get_content()
    assert [e.kind for e in session.scalars(select(OutboundEmail))] == [MAIL_KIND]
