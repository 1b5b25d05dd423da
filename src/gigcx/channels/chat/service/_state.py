"""What each side sees around the messages: status, typing, "seen", the offline offer."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.assist.enums import BotAttemptStatus
from gigcx.auth.principal import Principal
from gigcx.channels.chat import words
from gigcx.channels.chat.models import ChatEvent, ChatSession, ChatWidget
from gigcx.channels.chat.service._sessions import TYPING_SECONDS, offline_text
from gigcx.errors import NotFound, PermissionDenied
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import EXPERT_WORKING_STATUSES, TicketStatus
from gigcx.tickets.models import Ticket
from gigcx.views import customer as customer_views

WAITING_STATUSES = frozenset({TicketStatus.NEW, TicketStatus.QUEUED, TicketStatus.OFFERED})
# A visitor whose widget has not been connected for this long has left: answers go by email.
VISITOR_GONE = timedelta(seconds=90)


def first_name(display_name: str) -> str:
    return (display_name.split() or ["Support"])[0]


def is_offline(chat: ChatSession, widget: ChatWidget, ticket: Ticket, now: datetime) -> bool:
    """Nobody answers in the promised time: no expert has taken the chat by then, or routing
    found nobody online (it went to the in-house team, who answer later)."""
    if ticket.first_response_at is not None:
        return False
    if ticket.status == TicketStatus.ESCALATED:
        return True
    late = now >= chat.created_at + timedelta(seconds=widget.answer_seconds)
    return ticket.status in WAITING_STATUSES and late


def is_visitor_gone(chat: ChatSession, now: datetime) -> bool:
    return chat.continue_by_email or now - chat.visitor_active_at > VISITOR_GONE


def widget_state(session: Session, chat: ChatSession) -> dict[str, object]:
    """The widget's view of the chat besides its messages, in the chat's language."""
    now = clock.now()
    ticket = session.get_one(Ticket, chat.ticket_id)
    widget = session.get_one(ChatWidget, chat.widget_id)
    attempt = assist_service.bot_attempt_of(session, ticket.id)
    bot_pending = attempt is not None and attempt.status == BotAttemptStatus.PENDING
    typing = None
    if chat.typing_expert_id and chat.expert_typing_until and chat.expert_typing_until > now:
        expert = session.get_one(Expert, chat.typing_expert_id)
        typing = words.say(chat.language, "typing", name=first_name(expert.display_name))
    offline = is_offline(chat, widget, ticket, now)
    if ticket.status in WAITING_STATUSES and not offline:
        status_text = words.say(chat.language, "waiting")
    elif ticket.status in EXPERT_WORKING_STATUSES:
        status_text = words.say(chat.language, "answering")
    else:
        status_text = customer_views.status_words(
            ticket.status, chat.language, bot_pending=bot_pending
        )
    return {
        "status": str(ticket.status),
        "status_text": status_text,
        "expert_typing": typing,
        "is_offline": offline,
        "offline_text": offline_text(widget, chat.language) if offline else "",
        "continue_by_email": chat.continue_by_email,
        "is_bot_answer_pending": bot_pending,
        "can_reply": ticket.status in customer_views.REPLYABLE,
        "seen_id": chat.visitor_seen_seq,
    }


def chat_of_ticket(session: Session, ticket_id: uuid.UUID) -> ChatSession | None:
    return session.scalar(select(ChatSession).where(ChatSession.ticket_id == ticket_id))


def expert_typing(session: Session, principal: Principal, ticket_id: uuid.UUID) -> None:
    """The assignee is typing: the widget says so for the next 30 seconds."""
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    if principal.expert_id is None or ticket.assignee_id != principal.expert_id:
        raise PermissionDenied("only the expert who holds the ticket types in its chat")
    chat = chat_of_ticket(session, ticket.id)
    if chat is None:
        raise NotFound("this ticket did not come from the chat widget")
    chat.expert_typing_until = clock.now() + timedelta(seconds=TYPING_SECONDS)
    chat.typing_expert_id = principal.expert_id
    session.flush()


@dataclass(frozen=True, slots=True)
class ExpertChatState:
    """What the expert's workspace shows of the chat: is the customer typing, has the customer
    seen the latest answer, is the customer still there."""

    is_customer_typing: bool
    is_latest_answer_seen: bool
    has_answer: bool
    is_by_email: bool


def expert_chat_state(
    session: Session, principal: Principal, ticket_id: uuid.UUID
) -> ExpertChatState | None:
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    chat = chat_of_ticket(session, ticket.id)
    if chat is None:
        return None
    now = clock.now()
    latest_answer = session.scalar(
        select(ChatEvent.seq)
        .where(ChatEvent.chat_session_id == chat.id, ChatEvent.is_from_visitor.is_(False))
        .order_by(ChatEvent.seq.desc())
        .limit(1)
    )
    typing_until = chat.visitor_typing_until
    return ExpertChatState(
        is_customer_typing=typing_until is not None and typing_until > now,
        is_latest_answer_seen=latest_answer is not None and chat.visitor_seen_seq >= latest_answer,
        has_answer=latest_answer is not None,
        is_by_email=is_visitor_gone(chat, now),
    )
