"""Mail to a ticket's customer: the acknowledgement, every public answer, the rating request.

An event subscriber: on ``ticket.created``, ``ticket.replied`` and ``ticket.resolved`` it queues
a mail through ``outbound.queue_email`` (the job runner sends it). Each mail's Message-ID is
derived from the ticket, the kind of mail and what it is about, so the same event handled twice
finds its mail and queues nothing more.
"""

import hashlib
import hmac
import uuid
from collections.abc import Callable
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.assist.enums import BotAttemptStatus
from gigcx.brands.enums import Channel
from gigcx.brands.models import Brand, Program
from gigcx.channels.chat.models import ChatSession
from gigcx.channels.email import compose, inbound, outbound
from gigcx.channels.email.enums import AutoSubmitted
from gigcx.channels.email.models import OutboundEmail
from gigcx.channels.events import Event, subscriber
from gigcx.config import get_secret_key
from gigcx.jobs.events import EventType
from gigcx.tickets.enums import AuthorKind
from gigcx.tickets.models import Customer, Ticket
from gigcx.views import customer as customer_views

HEARD = frozenset(
    {
        EventType.TICKET_CREATED.value,
        EventType.TICKET_REPLIED.value,
        EventType.TICKET_RESOLVED.value,
    }
)


def mails_customer(session: Session, ticket: Ticket) -> bool:
    """Whether the ticket's customer hears from us by mail.

    Always when they wrote by mail. A chat (contact page, widget) customer too when the
    ticket's program lists email among its channels: the brand answers by mail as well, so a
    customer who left the page still gets the answer. Tickets taken in through the API never:
    the brand's own system speaks to its customers. Nor the simulated customers of a demo brand.
    A chat started in the widget mails its customer only once they have left it or asked for
    mail, which the chat channel decides and sends itself (one mail per answer, not two).
    """
    if session.get_one(Brand, ticket.brand_id).is_demo:
        return False
    if session.scalar(select(ChatSession.id).where(ChatSession.ticket_id == ticket.id)):
        return False
    if ticket.channel == Channel.EMAIL:
        return True
    if ticket.channel == Channel.CHAT:
        program = session.get_one(Program, ticket.program_id)
        return Channel.EMAIL.value in program.channels
    return False


def should_acknowledge(session: Session, ticket: Ticket) -> bool:
    """Whether the ticket's first mail may be answered with an acknowledgement.

    Never answer a robot: the inbound side of the channel records, for the mail a ticket came
    from, whether it was an auto-reply, a list mail or a flood (RFC 3834). Tickets that came
    another way may always be acknowledged.
    """
    return inbound.may_acknowledge(session, ticket.id)


def is_undeliverable(session: Session, customer: Customer) -> bool:
    """Whether mail to the customer's address bounced for good (then nothing more is sent)."""
    return customer.email_undeliverable


def mail_message_id(ticket_id: uuid.UUID, kind: str, source: str) -> str:
    """The Message-ID of the one mail of ``kind`` about ``source`` on a ticket.

    Shaped like ``identity.ticket_message_id`` (``<t<ticket hex>.…@domain>``, so replies to it
    find the ticket) and keyed with the server's secret, so nobody can name one in advance.
    """
    key = get_secret_key().encode()
    digest = hmac.new(key, f"mail:{ticket_id}:{kind}:{source}".encode(), hashlib.sha256)
    return f"<t{ticket_id.hex}.{kind[:1]}{digest.hexdigest()[:24]}@{outbound.mail_domain()}>"


def _is_queued_already(session: Session, message_id: str) -> bool:
    found = session.scalar(select(OutboundEmail.id).where(OutboundEmail.message_id == message_id))
    return found is not None


def queue_customer_mail(
    session: Session,
    ticket: Ticket,
    *,
    kind: str,
    source: str,
    text_for: Callable[[compose.Envelope], str],
    auto_submitted: AutoSubmitted,
    attachment_ids: tuple[uuid.UUID, ...] = (),
) -> OutboundEmail | None:
    """Queue one mail of ``kind`` to the ticket's customer, threaded after the previous one;
    nothing when it is queued already or the address bounced."""
    message_id = mail_message_id(ticket.id, kind, source)
    if _is_queued_already(session, message_id):
        return None
    if is_undeliverable(session, session.get_one(Customer, ticket.customer_id)):
        return None
    env = compose.envelope(session, ticket)
    chain = compose.thread(session, ticket)
    return outbound.queue_email(
        session,
        brand_id=ticket.brand_id,
        ticket_id=ticket.id,
        to=env.to,
        subject=env.subject,
        text=text_for(env),
        kind=kind,
        from_address=env.from_address,
        reply_to=env.reply_to,
        message_id=message_id,
        in_reply_to=chain[-1] if chain else None,
        references=compose.references(chain),
        auto_submitted=auto_submitted,
        smtp_url=env.smtp_url,
        attachment_ids=attachment_ids,
    )


def _acknowledge(session: Session, ticket: Ticket) -> None:
    if not should_acknowledge(session, ticket):
        return
    queue_customer_mail(
        session,
        ticket,
        kind=compose.ACKNOWLEDGEMENT,
        source=str(ticket.id),
        text_for=partial(compose.acknowledgement_text, link=compose.private_link(ticket)),
        auto_submitted=AutoSubmitted.AUTO_REPLIED,
    )


def _send_reply(session: Session, ticket: Ticket, message_id: uuid.UUID) -> None:
    view = customer_views.customer_ticket(session, ticket)
    shown = compose.message_in_view(view, message_id)
    if shown is None or shown.author_kind == AuthorKind.CUSTOMER:
        return
    files = compose.attachments_of_message(session, ticket, message_id)
    bot_pending = shown.author_kind == AuthorKind.BOT and _bot_pending(session, ticket)
    queue_customer_mail(
        session,
        ticket,
        kind=compose.REPLY,
        source=str(message_id),
        text_for=partial(
            compose.reply_text,
            message=shown,
            link=compose.private_link(ticket),
            asks_bot_feedback=bot_pending,
            files=files,
        ),
        auto_submitted=AutoSubmitted.NO,
        attachment_ids=tuple(f.id for f in files),
    )


def _bot_pending(session: Session, ticket: Ticket) -> bool:
    attempt = assist_service.bot_attempt_of(session, ticket.id)
    return attempt is not None and attempt.status == BotAttemptStatus.PENDING


def _request_rating(session: Session, ticket: Ticket) -> None:
    view = customer_views.customer_ticket(session, ticket)
    if not view.rating.can_rate:
        return
    queue_customer_mail(
        session,
        ticket,
        kind=compose.RATING_REQUEST,
        source=str(ticket.id),
        text_for=partial(compose.rating_text, link=compose.private_link(ticket)),
        auto_submitted=AutoSubmitted.AUTO_GENERATED,
    )


@subscriber("email.customer_mail")
def customer_mail(session: Session, event: Event) -> None:
    """Mail the customer the acknowledgement, each public answer and the rating request."""
    if event.type not in HEARD:
        return
    ticket_id = event.id_of("ticket_id")
    ticket = session.get(Ticket, ticket_id) if ticket_id is not None else None
    if ticket is None or ticket.brand_id != event.brand_id or not mails_customer(session, ticket):
        return
    if event.type == EventType.TICKET_CREATED:
        _acknowledge(session, ticket)
    elif event.type == EventType.TICKET_REPLIED and (message_id := event.id_of("message_id")):
        _send_reply(session, ticket, message_id)
    elif event.type == EventType.TICKET_RESOLVED:
        _request_rating(session, ticket)
