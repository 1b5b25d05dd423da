"""The chat hears the ticket's events: new messages reach the widget, or the visitor's inbox
once they have left or asked to be answered by email."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand
from gigcx.channels.chat import service as chat_service
from gigcx.channels.chat import words
from gigcx.channels.chat.models import ChatEvent, ChatSession
from gigcx.channels.email.models import OutboundEmail
from gigcx.channels.email.outbound import mail_domain, queue_email
from gigcx.channels.events import Event, subscriber
from gigcx.jobs.events import EventType
from gigcx.kit import clock
from gigcx.tickets.models import Customer, Ticket
from gigcx.views import customer as customer_views

MESSAGE_EVENTS = frozenset({EventType.TICKET_REPLIED, EventType.TICKET_CUSTOMER_REPLIED})
MAIL_KIND = "chat_reply"


@subscriber("chat")
def on_ticket_event(session: Session, event: Event) -> None:
    """Tell the chat of a new message on its ticket; mail an answer to a visitor who left."""
    ticket_id = event.id_of("ticket_id")
    if event.type not in MESSAGE_EVENTS or ticket_id is None:
        return
    chat = session.scalar(select(ChatSession).where(ChatSession.ticket_id == ticket_id))
    if chat is None:
        return
    chat_service.sync_messages(session, chat)
    message_id = event.id_of("message_id")
    if (
        event.type == EventType.TICKET_REPLIED
        and message_id is not None
        and chat_service.is_visitor_gone(chat, clock.now())
    ):
        _mail_answer(session, chat, message_id)


def _mail_answer(session: Session, chat: ChatSession, message_id: uuid.UUID) -> None:
    """Queue the answer, as the customer reads it, with the private link; once per message."""
    mail_id = f"<chat.{message_id.hex}@{mail_domain()}>"
    if session.scalar(select(OutboundEmail.id).where(OutboundEmail.message_id == mail_id)):
        return
    told = session.scalar(
        select(ChatEvent).where(
            ChatEvent.chat_session_id == chat.id, ChatEvent.message_id == message_id
        )
    )
    if told is None:
        return
    ticket = session.get_one(Ticket, chat.ticket_id)
    brand = session.get_one(Brand, chat.brand_id)
    customer = session.get_one(Customer, ticket.customer_id)
    say = words.words(chat.language)
    link = customer_views.private_link(ticket, chat.link_base)
    text = (
        f"{say['mail_intro'].format(brand=brand.name)}\n\n{told.data['body']}\n\n"
        f"{say['mail_link']}\n{link}\n"
    )
    queue_email(
        session,
        brand_id=brand.id,
        to=customer.email,
        subject=say["mail_subject"].format(brand=brand.name),
        text=text,
        kind=MAIL_KIND,
        ticket_id=ticket.id,
        message_id=mail_id,
    )
