"""A visitor's chat: started from the pre-chat form as a ticket, then messages both ways."""

import hashlib
import hmac
import math
import secrets
import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.brands.enums import Channel
from gigcx.brands.models import Program
from gigcx.channels.chat import words
from gigcx.channels.chat.errors import ChatRateLimited, ChatSessionNotFound
from gigcx.channels.chat.models import ChatEvent, ChatSession, ChatWidget
from gigcx.channels.chat.schemas import ChatSessionCreate
from gigcx.config import get_secret_key
from gigcx.errors import InvalidInput
from gigcx.kit import clock
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Ticket
from gigcx.tickets.schemas import CustomerIn, TicketCreate
from gigcx.views import customer as customer_views

# Rate limits, counted from the stored chats and messages (so every server process shares them).
STARTS_PER_ADDRESS = 10
STARTS_PER_ADDRESS_WINDOW = timedelta(minutes=10)
STARTS_PER_KEY = 300
STARTS_PER_KEY_WINDOW = timedelta(minutes=10)
MESSAGES_PER_CHAT = 20
MESSAGES_PER_CHAT_WINDOW = timedelta(minutes=1)
TYPING_SECONDS = 30
MESSAGE_KIND = "message"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def address_hash(address: str) -> str:
    """A keyed hash of the visitor's IP address: enough to count, never the address itself."""
    key = get_secret_key().encode()
    return hmac.new(key, f"chat-ip:{address}".encode(), hashlib.sha256).hexdigest()


def _retry_after(oldest: datetime, window: timedelta, now: datetime) -> int:
    return max(1, math.ceil((oldest + window - now).total_seconds()))


def _check_starts(session: Session, widget: ChatWidget, ip_hash: str, now: datetime) -> None:
    for column, value, limit, window, what in (
        (ChatSession.ip_hash, ip_hash, STARTS_PER_ADDRESS, STARTS_PER_ADDRESS_WINDOW, "address"),
        (ChatSession.widget_id, widget.id, STARTS_PER_KEY, STARTS_PER_KEY_WINDOW, "key"),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(ChatSession.created_at)).where(
                column == value, ChatSession.created_at > now - window
            )
        ).one()
        if count >= limit:
            minutes = int(window.total_seconds() // 60)
            raise ChatRateLimited(
                f"too many chats started from this {what}: at most {limit} in {minutes} minutes",
                _retry_after(oldest, window, now),
            )


def _check_messages(session: Session, chat: ChatSession, now: datetime) -> None:
    since = now - MESSAGES_PER_CHAT_WINDOW
    count, oldest = session.execute(
        select(func.count(), func.min(ChatEvent.created_at)).where(
            ChatEvent.chat_session_id == chat.id,
            ChatEvent.is_from_visitor.is_(True),
            ChatEvent.created_at > since,
        )
    ).one()
    if count >= MESSAGES_PER_CHAT:
        raise ChatRateLimited(
            f"too many messages in this chat: at most {MESSAGES_PER_CHAT} a minute",
            _retry_after(oldest, MESSAGES_PER_CHAT_WINDOW, now),
        )


def _category(program: Program, topic: str, *, is_guessed: bool) -> str | None:
    if topic:
        return topic
    if is_guessed:
        return None
    # Without a topic and without an intent model to pick one, the program's first category.
    return program.categories[0].key if program.categories else ""


def start_session(
    session: Session,
    widget: ChatWidget,
    data: ChatSessionCreate,
    *,
    address: str,
    accept_language: str,
    link_base: str,
) -> tuple[ChatSession, str]:
    """Open a chat from the pre-chat form: its ticket enters triage and the offer flow like any
    other. Returns the chat and the visitor's token (shown once, stored only as a hash)."""
    now = clock.now()
    ip_hash = address_hash(address)
    _check_starts(session, widget, ip_hash, now)
    program = session.get_one(Program, widget.program_id)
    language = words.widget_language(list(program.languages), data.language, accept_language)
    customer = Principal(role=Role.CUSTOMER, brand_id=widget.brand_id)
    route_after_triage = assist_service.routes_after_triage(session, program.id)
    if data.topic and program.category(data.topic) is None:
        raise InvalidInput(f"choose a topic from the list; {data.topic[:64]!r} is not one")
    ticket_data = TicketCreate(
        program_id=program.id,
        customer=CustomerIn(email=data.email, name=data.name.strip()),
        channel=Channel.CHAT,
        language=language,
        category=_category(program, data.topic, is_guessed=route_after_triage),
        body=data.body.strip() or data.body,
    )
    ticket, _ = tickets_service.create_ticket(
        session,
        customer,
        ticket_data,
        idempotency_key=None,
        route_after_triage=route_after_triage,
        guess_category=partial(assist_service.guess_category, session, program.id),
    )
    if not route_after_triage:
        routing_service.route_locked(session, ticket)
    token = secrets.token_urlsafe(32)
    chat = ChatSession(
        widget_id=widget.id,
        brand_id=widget.brand_id,
        ticket_id=ticket.id,
        token_hash=_hash(token),
        ip_hash=ip_hash,
        language=ticket.language,
        link_base=link_base[:300],
        visitor_active_at=now,
    )
    session.add(chat)
    session.flush()
    sync_messages(session, chat)
    return chat, token


def visitor_chat(session: Session, session_id: uuid.UUID, token: str | None) -> ChatSession:
    """The chat whose visitor holds ``token``; any other id or token is not found."""
    chat = session.get(ChatSession, session_id)
    if chat is None or not token or not hmac.compare_digest(chat.token_hash, _hash(token)):
        raise ChatSessionNotFound()
    return chat


def lock_chat(session: Session, chat_id: uuid.UUID) -> ChatSession:
    """Reload the chat with its row locked (PostgreSQL), so its events are numbered in the
    order they commit and a reconnecting stream can never skip one."""
    return session.scalars(
        select(ChatSession)
        .where(ChatSession.id == chat_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _message_data(message: customer_views.CustomerMessage) -> dict[str, Any]:
    return {
        "message_id": str(message.id),
        "author": message.author,
        "author_kind": message.author_kind,
        "is_own": message.is_own,
        "body": message.body,
        "created_at": message.created_at.isoformat(),
    }


def sync_messages(session: Session, chat: ChatSession) -> list[ChatEvent]:
    """Append an event for each message of the customer's view the chat has not told yet
    (never an internal note: the customer's view has none). Idempotent."""
    chat = lock_chat(session, chat.id)
    ticket = session.get_one(Ticket, chat.ticket_id)
    told = set(
        session.scalars(
            select(ChatEvent.message_id).where(
                ChatEvent.chat_session_id == chat.id, ChatEvent.message_id.is_not(None)
            )
        )
    )
    added = []
    for message in customer_views.customer_ticket(session, ticket).messages:
        if message.id in told:
            continue
        chat.last_seq += 1
        event = ChatEvent(
            chat_session_id=chat.id,
            seq=chat.last_seq,
            kind=MESSAGE_KIND,
            message_id=message.id,
            is_from_visitor=message.is_own,
            data=_message_data(message),
        )
        session.add(event)
        added.append(event)
    session.flush()
    return added


def post_message(
    session: Session, chat: ChatSession, body: str, *, idempotency_key: str
) -> tuple[ChatEvent, bool]:
    """Add the visitor's message to the ticket; a retry with the same key adds nothing and
    returns the first one. Returns the message's event and whether it is new."""
    chat = lock_chat(session, chat.id)
    existing = session.scalar(
        select(ChatEvent).where(
            ChatEvent.chat_session_id == chat.id, ChatEvent.idempotency_key == idempotency_key
        )
    )
    if existing is not None:
        return existing, False
    now = clock.now()
    _check_messages(session, chat, now)
    ticket = session.get_one(Ticket, chat.ticket_id)
    message = tickets_service.add_customer_message(
        session, tickets_service.customer_of(ticket), ticket.id, body.strip() or body
    )
    sync_messages(session, chat)
    event = session.scalars(
        select(ChatEvent).where(
            ChatEvent.chat_session_id == chat.id, ChatEvent.message_id == message.id
        )
    ).one()
    event.idempotency_key = idempotency_key
    chat.visitor_typing_until = None
    chat.visitor_active_at = now
    session.flush()
    return event, True


def answer_bot(session: Session, chat: ChatSession, *, helped: bool) -> None:
    """The visitor's word on the bot's answer: solved, or "this didn't help" (an expert takes
    over, with the bot's attempt in view)."""
    ticket = session.get_one(Ticket, chat.ticket_id)
    customer = tickets_service.customer_of(ticket)
    if helped:
        assist_service.confirm_bot_answer(session, customer, ticket.id)
    else:
        assist_service.reject_bot_answer(session, customer, ticket.id)
    sync_messages(session, chat)


def visitor_typing(session: Session, chat: ChatSession) -> None:
    """The visitor is typing: shown to the expert for the next 30 seconds."""
    now = clock.now()
    chat.visitor_typing_until = now + timedelta(seconds=TYPING_SECONDS)
    chat.visitor_active_at = now
    session.flush()


def mark_seen(session: Session, chat: ChatSession, event_id: int) -> None:
    """The visitor's widget showed every event up to ``event_id``."""
    chat = lock_chat(session, chat.id)
    chat.visitor_seen_seq = max(chat.visitor_seen_seq, min(event_id, chat.last_seq))
    chat.visitor_active_at = clock.now()
    session.flush()


def continue_by_email(session: Session, chat: ChatSession) -> None:
    """The visitor leaves: later answers go to their email address."""
    chat.continue_by_email = True
    session.flush()


def touch_visitor(session: Session, chat_id: uuid.UUID) -> None:
    """The visitor's widget is still connected."""
    chat = session.get(ChatSession, chat_id)
    if chat is not None:
        chat.visitor_active_at = clock.now()
        session.flush()


def events_after(session: Session, chat_id: uuid.UUID, seq: int) -> list[ChatEvent]:
    """The chat's events after number ``seq``, in order."""
    return list(
        session.scalars(
            select(ChatEvent)
            .where(ChatEvent.chat_session_id == chat_id, ChatEvent.seq > seq)
            .order_by(ChatEvent.seq)
        )
    )


def offline_text(widget: ChatWidget, language: str) -> str:
    return widget.offline_message or words.say(language, "offline")
