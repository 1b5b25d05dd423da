"""What a mail to a ticket's customer says and whom it is from: written from the customer's view.

The texts come from ``views.customer`` (what the private page shows: never an internal note,
the authors named as the customer reads them) and ``channels.email.words`` in the ticket's
language. The sender is the brand's mailbox for the ticket's program (else another of the
brand's, else ``GIGCX_MAIL_FROM``); replies go to the signed reply address of the ticket.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import formataddr, parseaddr

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.channels.email import identity
from gigcx.channels.email.enums import InboundOutcome, OutboundStatus
from gigcx.channels.email.models import InboundEmail, Mailbox, OutboundEmail
from gigcx.channels.email.words import mail_words
from gigcx.config import get_settings
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Attachment, Customer, Ticket
from gigcx.views import customer as customer_views
from gigcx.views import i18n

# Mail kinds sent to a ticket's customer (OutboundEmail.kind).
ACKNOWLEDGEMENT = "acknowledgement"
REPLY = "reply"
RATING_REQUEST = "rating_request"
CUSTOMER_KINDS = (ACKNOWLEDGEMENT, REPLY, RATING_REQUEST)
# References keeps the thread's first Message-ID and its latest ones (RFC 5322 advises the
# first; clients thread on any); a long thread never grows the header without bound.
REFERENCES_LIMIT = 10


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who a mail about a ticket goes to and comes from, and in which language it is worded."""

    to: str
    customer_name: str
    from_address: str
    reply_to: str
    smtp_url: str | None
    language: str
    brand_name: str
    subject: str


def mailbox_for(session: Session, ticket: Ticket) -> Mailbox | None:
    """The brand's active mailbox for the ticket's program, else another active one of the
    brand's, else None."""
    mailboxes = session.scalars(
        select(Mailbox)
        .where(Mailbox.brand_id == ticket.brand_id, Mailbox.is_active.is_(True))
        .order_by(Mailbox.created_at, Mailbox.id)
    ).all()
    own = next((m for m in mailboxes if m.program_id == ticket.program_id), None)
    return own or next(iter(mailboxes), None)


def base_url() -> str:
    """Where the customer's private page is reached (GIGCX_BASE_URL, else this server)."""
    settings = get_settings()
    return settings.base_url or f"http://{settings.host}:{settings.port}"


def private_link(ticket: Ticket) -> str:
    return customer_views.private_link(ticket, base_url())


def envelope(session: Session, ticket: Ticket) -> Envelope:
    """The addresses, language and subject of every mail to the ticket's customer."""
    customer = session.get_one(Customer, ticket.customer_id)
    view = customer_views.customer_ticket(session, ticket)
    mailbox = mailbox_for(session, ticket)
    if mailbox is not None:
        from_address = formataddr((mailbox.display_name or view.brand_name, mailbox.address))
        own_address = mailbox.address
    else:
        from_address = get_settings().mail_from
        own_address = parseaddr(from_address)[1]
    t = mail_words(view.language)
    topic = view.subject.strip() or t("subject.fallback", brand=view.brand_name)
    return Envelope(
        to=customer.email,
        customer_name=customer.name.strip(),
        from_address=from_address,
        reply_to=identity.reply_address(own_address, ticket.id),
        smtp_url=(mailbox.smtp_url or None) if mailbox is not None else None,
        language=view.language,
        brand_name=view.brand_name,
        subject=f"Re: {topic} {identity.subject_tag(ticket.id)}",
    )


def inbound_message_ids(session: Session, ticket: Ticket) -> list[tuple[datetime, str]]:
    """The Message-IDs of the customer's mail on this ticket as (time received, Message-ID).

    Mail that was ignored or refused (robots, floods, forged reply addresses) is no part of it.
    """
    rows = session.execute(
        select(InboundEmail.created_at, InboundEmail.header_message_id).where(
            InboundEmail.ticket_id == ticket.id,
            InboundEmail.header_message_id.is_not(None),
            InboundEmail.outcome.in_([InboundOutcome.NEW_TICKET, InboundOutcome.THREADED]),
        )
    ).all()
    return [(received, str(message_id)) for received, message_id in rows]


def thread(session: Session, ticket: Ticket) -> list[str]:
    """The Message-IDs of the ticket's mail thread, oldest first: the customer's mail and ours
    (sent or on its way; a mail never sent is no part of what the customer holds)."""
    ours = session.execute(
        select(OutboundEmail.created_at, OutboundEmail.message_id)
        .where(
            OutboundEmail.ticket_id == ticket.id,
            OutboundEmail.kind.in_(CUSTOMER_KINDS),
            OutboundEmail.status.in_((OutboundStatus.QUEUED, OutboundStatus.SENT)),
        )
        .order_by(OutboundEmail.created_at, OutboundEmail.id)
    ).all()
    timed = [(created, message_id) for created, message_id in ours]
    timed += inbound_message_ids(session, ticket)
    return [message_id for _, message_id in sorted(timed, key=lambda pair: pair[0])]


def references(chain: Sequence[str]) -> list[str]:
    """The References of a new mail in a thread: the first and the latest Message-IDs."""
    if len(chain) <= REFERENCES_LIMIT:
        return list(chain)
    return [chain[0], *chain[-(REFERENCES_LIMIT - 1) :]]


def _greeting(env: Envelope) -> str:
    t = mail_words(env.language)
    return t("greeting.named", name=env.customer_name) if env.customer_name else t("greeting")


def _signature(env: Envelope) -> str:
    return i18n.words(env.language)("author.support", brand=env.brand_name)


def acknowledgement_text(env: Envelope, link: str) -> str:
    t = mail_words(env.language)
    return "\n".join(
        [
            _greeting(env),
            "",
            t("ack.body", brand=env.brand_name),
            "",
            t("ack.link"),
            link,
            "",
            t("private"),
            "",
            "-- ",
            _signature(env),
            "",
        ]
    )


def reply_text(
    env: Envelope,
    message: customer_views.CustomerMessage,
    link: str,
    *,
    asks_bot_feedback: bool,
    files: Sequence[Attachment] = (),
) -> str:
    """A public answer as the customer's page shows it, with how to answer back."""
    t = mail_words(env.language)
    lines = [t("reply.wrote", author=message.author), "", message.body.strip(), ""]
    if files:
        lines += [t("reply.files", names=", ".join(f.filename for f in files)), ""]
    lines += [t("reply.bot") if asks_bot_feedback else t("reply.answer"), link, "", t("private")]
    return "\n".join([*lines, "", "-- ", _signature(env), ""])


def rating_text(env: Envelope, link: str) -> str:
    t = mail_words(env.language)
    return "\n".join(
        [
            _greeting(env),
            "",
            t("rating.body"),
            t("rating.link"),
            link,
            "",
            t("rating.reopen"),
            "",
            t("private"),
            "",
            "-- ",
            _signature(env),
            "",
        ]
    )


def message_in_view(
    view: customer_views.CustomerTicket, message_id: uuid.UUID
) -> customer_views.CustomerMessage | None:
    """The message as the customer's page shows it; None when the customer does not see it."""
    return next((m for m in view.messages if m.id == message_id), None)


def attachments_of_message(
    session: Session, ticket: Ticket, message_id: uuid.UUID
) -> list[Attachment]:
    return [
        a for a in tickets_service.attachments_of(session, ticket.id) if a.message_id == message_id
    ]
