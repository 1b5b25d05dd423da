"""Which ticket a mail answers, in order of trust.

1. A signed reply address (``<local>+<token>@``) of the mailbox; a token that does not verify,
   or names no ticket of the mailbox's brand, is refused outright.
2. ``In-Reply-To`` / ``References`` naming a mail we sent (``outbound_emails``) or one that came
   in before (``inbound_emails``), within the brand.
3. The subject tag ``[#1a2b3c4d5e6f]``, when exactly one ticket of the brand matches.

A match counts only when the mail comes from the ticket's customer: nobody can write into
another customer's conversation by copying a subject or a header; such mail opens a ticket of
its own. A closed or canceled ticket is not written to either; the mail opens a new one.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.channels.email import identity
from gigcx.channels.email.enums import InboundReason
from gigcx.channels.email.models import InboundEmail, Mailbox, OutboundEmail
from gigcx.channels.email.parsing import ParsedMail
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.models import Customer, Ticket

CLOSED = frozenset({TicketStatus.CLOSED, TicketStatus.CANCELED})


@dataclass(frozen=True, slots=True)
class Thread:
    ticket: Ticket | None
    via: InboundReason | None = None
    # Set when the mail must be refused (a forged reply address): no ticket is touched.
    refused: str | None = None
    # Why a match was not used (another sender, a closed ticket): the mail opens a new ticket.
    note: str = ""


def _base(address: str) -> tuple[str, str]:
    local, _, domain = address.lower().partition("@")
    return local.partition("+")[0], domain


def _reply_address_ticket(
    session: Session, mailbox: Mailbox, addresses: tuple[str, ...]
) -> tuple[uuid.UUID | None, str | None]:
    mailbox_base = _base(mailbox.address)
    for address in addresses:
        if "+" not in address.partition("@")[0] or _base(address) != mailbox_base:
            continue
        try:
            ticket_id = identity.ticket_id_from_address(address)
        except identity.ForgedReplyAddress as error:
            return None, error.detail
        ticket = session.get(Ticket, ticket_id) if ticket_id else None
        if ticket is None or ticket.brand_id != mailbox.brand_id:
            return None, f"the reply address {address!r} names no ticket of this brand"
        return ticket.id, None
    return None, None


def _referenced_ticket(
    session: Session, brand_id: uuid.UUID, ids: tuple[str, ...]
) -> uuid.UUID | None:
    if not ids:
        return None
    keys = [value[:255] for value in ids]
    sent = dict(
        session.execute(
            select(OutboundEmail.message_id, OutboundEmail.ticket_id).where(
                OutboundEmail.message_id.in_(keys),
                OutboundEmail.brand_id == brand_id,
                OutboundEmail.ticket_id.is_not(None),
            )
        ).all()
    )
    received = dict(
        session.execute(
            select(InboundEmail.header_message_id, InboundEmail.ticket_id).where(
                InboundEmail.header_message_id.in_(keys),
                InboundEmail.brand_id == brand_id,
                InboundEmail.ticket_id.is_not(None),
            )
        ).all()
    )
    for key in keys:  # the newest reference first
        found = sent.get(key) or received.get(key)
        if found is not None:
            return found
    return None


def _tagged_ticket(session: Session, brand_id: uuid.UUID, subject: str) -> uuid.UUID | None:
    prefix = identity.tag_in_subject(subject)
    if prefix is None:
        return None
    low, high = uuid.UUID(prefix + "0" * 20), uuid.UUID(prefix + "f" * 20)
    found = session.scalars(
        select(Ticket.id)
        .where(Ticket.brand_id == brand_id, Ticket.id >= low, Ticket.id <= high)
        .limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


def find_thread(
    session: Session, mailbox: Mailbox, mail: ParsedMail, envelope_recipients: tuple[str, ...]
) -> Thread:
    """The ticket this mail continues, or why it continues none."""
    addresses = tuple(dict.fromkeys((*envelope_recipients, *mail.recipients)))
    ticket_id, refused = _reply_address_ticket(session, mailbox, addresses)
    if refused is not None:
        return Thread(ticket=None, refused=refused)
    via = InboundReason.REPLY_ADDRESS
    if ticket_id is None:
        ticket_id, via = (
            _referenced_ticket(session, mailbox.brand_id, mail.thread_ids),
            InboundReason.REFERENCES,
        )
    if ticket_id is None:
        ticket_id, via = (
            _tagged_ticket(session, mailbox.brand_id, mail.subject),
            InboundReason.SUBJECT_TAG,
        )
    if ticket_id is None:
        return Thread(ticket=None)
    ticket = session.get_one(Ticket, ticket_id)
    customer = session.get_one(Customer, ticket.customer_id)
    if customer.email != mail.sender:
        return Thread(
            ticket=None,
            note="it answers a ticket of another customer, so it opens a ticket of its own",
        )
    if ticket.status in CLOSED:
        return Thread(
            ticket=None, note=f"it answers a ticket that is {ticket.status}; it opens a new one"
        )
    return Thread(ticket=ticket, via=via)
