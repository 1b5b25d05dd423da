"""What a customer sees of their ticket: the private page, its live feed, the API's answers.

The customer's sight (``policy.sight_of``) shows their own conversation without internal notes;
this view adds what a customer reads around it, in the ticket's language when GigCX has its
words (``views.i18n``, English otherwise): the status in plain words, who wrote each message,
whether they can reply, answer the bot or rate, and the rating they gave.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.assist.enums import BotAttemptStatus
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand
from gigcx.quality.enums import RatingReason
from gigcx.quality.models import Rating
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind, TicketStatus
from gigcx.tickets.models import Inquiry, Message, Ticket
from gigcx.tickets.schemas import MessageRead, TicketDetail, TicketRead
from gigcx.views import _shared, i18n
from gigcx.views.files import FileLine, files_by_message
from gigcx.views.policy import ShownMessage, Sight, sight_of
from gigcx.views.schemas import CustomerMessageRead, CustomerRatingRead, CustomerTicketRead

RATEABLE = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})
REPLYABLE = frozenset(set(TicketStatus) - {TicketStatus.CLOSED, TicketStatus.CANCELED})
# The reasons a customer picks from, in the order shown ("not given" is picking none).
REASONS = tuple(reason for reason in RatingReason if reason is not RatingReason.NOT_GIVEN)

# Statuses as a customer reads them; the routing steps in between are one wait to them.
STATUS_WORDS = {
    TicketStatus.NEW: "status.new",
    TicketStatus.QUEUED: "status.waiting_for_expert",
    TicketStatus.OFFERED: "status.waiting_for_expert",
    TicketStatus.ASSIGNED: "status.assigned",
    TicketStatus.WAITING_ON_CUSTOMER: "status.waiting_on_customer",
    TicketStatus.ESCALATED: "status.escalated",
    TicketStatus.RESOLVED: "status.resolved",
    TicketStatus.CLOSED: "status.closed",
    TicketStatus.CANCELED: "status.canceled",
}


@dataclass(frozen=True, slots=True)
class CustomerMessage:
    """One message of the conversation as the customer reads it."""

    id: uuid.UUID
    is_own: bool
    author_kind: str
    author: str
    body: str
    created_at: datetime
    # The files that came with it, each downloaded through the private link.
    files: tuple[FileLine, ...] = ()


@dataclass(frozen=True, slots=True)
class RatingState:
    """Whether the customer can rate now, and the rating they gave."""

    can_rate: bool
    score: int | None
    reason: RatingReason | None
    reason_text: str
    thanks: str


@dataclass(frozen=True, slots=True)
class CustomerTicket:
    """The ticket as its customer sees it, worded in ``language``."""

    id: uuid.UUID
    language: str
    brand_name: str
    subject: str
    status: TicketStatus
    status_text: str
    messages: list[CustomerMessage]
    can_reply: bool
    is_bot_answer_pending: bool
    rating: RatingState


def customer_sight(session: Session, ticket: Ticket) -> Sight:
    """The ticket's customer's sight of it (through their private link)."""
    return sight_of(session, tickets_service.customer_of(ticket), ticket)


def status_words(ticket_status: TicketStatus, language: str, *, bot_pending: bool = False) -> str:
    """The ticket's status in words a customer understands, in ``language``."""
    t = i18n.words(language)
    if bot_pending:
        return t("status.bot_answered")
    return t(STATUS_WORDS[ticket_status])


def reason_choices(language: str) -> list[tuple[str, str]]:
    """The rating reasons a customer picks from: (code, words in ``language``)."""
    t = i18n.words(language)
    return [(reason.value, t(f"reason.{reason.value}")) for reason in REASONS]


def _author(shown: ShownMessage, brand_name: str, t: i18n.Words) -> str:
    if shown.author_kind == AuthorKind.CUSTOMER:
        return str(t("author.you"))
    if shown.author_kind == AuthorKind.BOT:
        return str(t("author.bot", brand=brand_name))
    return str(t("author.support", brand=brand_name))


def _rating_state(
    rating: Rating | None, ticket: Ticket, bot_pending: bool, t: i18n.Words
) -> RatingState:
    if rating is None:
        can_rate = ticket.status in RATEABLE and not bot_pending
        return RatingState(can_rate, None, None, "", "")
    reason = None if rating.reason == RatingReason.NOT_GIVEN else RatingReason(rating.reason)
    return RatingState(
        can_rate=False,
        score=rating.score,
        reason=reason,
        reason_text=t(f"reason.{reason.value}") if reason is not None else "",
        thanks=t("rate.thanks", score=rating.score),
    )


def customer_ticket(session: Session, ticket: Ticket) -> CustomerTicket:
    """The ticket as its customer sees it: their conversation without internal notes, the
    status in their words and the rating, in the ticket's language."""
    sight = customer_sight(session, ticket)
    language = i18n.page_language(ticket.language)
    t = i18n.words(language)
    brand_name = session.get_one(Brand, ticket.brand_id).name
    attempt = assist_service.bot_attempt_of(session, ticket.id)
    bot_pending = attempt is not None and attempt.status == BotAttemptStatus.PENDING
    rating = session.scalar(select(Rating).where(Rating.ticket_id == ticket.id))
    shown_messages = sight.messages(ticket)
    files = files_by_message(session, ticket, (shown.id for shown in shown_messages))
    messages = [
        CustomerMessage(
            id=shown.id,
            is_own=shown.author_kind == AuthorKind.CUSTOMER,
            author_kind=shown.author_kind,
            author=_author(shown, brand_name, t),
            body=shown.body,
            created_at=shown.created_at,
            files=tuple(files.get(shown.id, ())),
        )
        for shown in shown_messages
    ]
    return CustomerTicket(
        id=ticket.id,
        language=language,
        brand_name=brand_name,
        subject=sight.text(ticket.subject),
        status=ticket.status,
        status_text=status_words(ticket.status, language, bot_pending=bot_pending),
        messages=messages,
        can_reply=ticket.status in REPLYABLE,
        is_bot_answer_pending=bot_pending,
        rating=_rating_state(rating, ticket, bot_pending, t),
    )


@dataclass(frozen=True)
class CustomerInquiry:
    """An inquiry whose ticket is being made, as its customer sees it: that it arrived."""

    language: str
    brand_name: str
    text: str


def customer_inquiry(session: Session, inquiry: Inquiry) -> CustomerInquiry:
    """What the customer's private link shows before the ticket is made."""
    sent = inquiry.payload or {}
    language = i18n.page_language(str(sent.get("language") or i18n.DEFAULT_LANGUAGE))
    return CustomerInquiry(
        language=language,
        brand_name=session.get_one(Brand, inquiry.brand_id).name,
        text=i18n.words(language)("page.received"),
    )


def private_link(ticket: Ticket | Inquiry, base_url: str) -> str:
    """The absolute address of the customer's private page, on the server at ``base_url``."""
    return f"{base_url.rstrip('/')}/c/{tickets_service.customer_link_token(ticket)}"


def customer_ticket_read(session: Session, ticket: Ticket, *, base_url: str) -> CustomerTicketRead:
    """The API's answer of what the customer sees of ``ticket``."""
    view = customer_ticket(session, ticket)
    rating = view.rating
    return CustomerTicketRead(
        ticket_id=view.id,
        link=private_link(ticket, base_url),
        language=view.language,
        subject=view.subject,
        status=view.status,
        status_text=view.status_text,
        can_reply=view.can_reply,
        is_bot_answer_pending=view.is_bot_answer_pending,
        messages=[
            CustomerMessageRead(
                id=m.id,
                author_kind=AuthorKind(m.author_kind),
                author=m.author,
                body=m.body,
                created_at=m.created_at,
            )
            for m in view.messages
        ],
        rating=CustomerRatingRead(
            can_rate=rating.can_rate,
            score=rating.score,
            reason=rating.reason,
        ),
    )


def ticket_read(session: Session, principal: Principal, ticket: Ticket) -> TicketRead:
    """The ticket's fields for a customer principal: their sight (no internal notes)."""
    return _shared.ticket_read(ticket, sight_of(session, principal, ticket))


def ticket_detail(session: Session, principal: Principal, ticket: Ticket) -> TicketDetail:
    return _shared.ticket_detail(ticket, sight_of(session, principal, ticket))


def message_read(session: Session, principal: Principal, message: Message) -> MessageRead:
    sight = sight_of(session, principal, session.get_one(Ticket, message.ticket_id))
    return _shared.message_read(_shared.shown_message(message, sight))
