"""Builders every viewer's module uses: a ticket, its messages and its triage through a sight."""

from gigcx.assist.models import Triage
from gigcx.assist.schemas import PiiSpanRead, TriageRead
from gigcx.tickets.enums import AuthorKind
from gigcx.tickets.models import Customer, Message, Ticket
from gigcx.tickets.schemas import (
    CustomerRead,
    MessageRead,
    PayQuoteRead,
    TicketDetail,
    TicketRead,
)
from gigcx.views.policy import ShownMessage, Sight

_PLAIN_FIELDS = set(TicketRead.model_fields) - {"customer", "subject", "escalation_reason", "pay"}


def ticket_read(ticket: Ticket, sight: Sight, *, pay: PayQuoteRead | None = None) -> TicketRead:
    """The ticket's fields, its texts and its customer as the sight allows."""
    fields = {name: getattr(ticket, name) for name in _PLAIN_FIELDS}
    return TicketRead(
        **fields,
        subject=sight.text(ticket.subject),
        escalation_reason=(
            sight.text(ticket.escalation_reason) if ticket.escalation_reason is not None else None
        ),
        customer=CustomerRead(
            id=ticket.customer_id, name=sight.customer_name, email=sight.customer_email
        ),
        pay=pay,
    )


def message_read(shown: ShownMessage) -> MessageRead:
    return MessageRead(
        id=shown.id,
        author_kind=shown.author_kind,
        author_id=shown.author_id,
        body=shown.body,
        is_internal=shown.is_internal,
        created_at=shown.created_at,
    )


def shown_message(message: Message, sight: Sight) -> ShownMessage:
    """One message (for example the one just sent) as the sight shows it."""
    return ShownMessage(
        id=message.id,
        author_kind=message.author_kind,
        author_id=message.author_id,
        body=sight.text(message.body),
        is_internal=message.is_internal,
        created_at=message.created_at,
    )


def ticket_detail(ticket: Ticket, sight: Sight, *, pay: PayQuoteRead | None = None) -> TicketDetail:
    read = ticket_read(ticket, sight, pay=pay)
    messages = [message_read(shown) for shown in sight.messages(ticket)]
    return TicketDetail(**read.model_dump(), messages=messages)


def _first_customer_text(ticket: Ticket) -> str:
    customer = (m.body for m in ticket.messages if m.author_kind == AuthorKind.CUSTOMER)
    return next(customer, "")


def triage_read(triage: Triage, ticket: Ticket, sight: Sight) -> TriageRead:
    """The triage with each personal-data span's text as the sight allows (stored spans carry
    offsets into the first customer message, never the data itself)."""
    source = _first_customer_text(ticket) if sight.shows_conversation else ""
    spans = []
    for stored in triage.pii:
        start, end, kind = int(stored["start"]), int(stored["end"]), str(stored["kind"])
        text = source[start:end] if sight.shows_conversation else ""
        spans.append(PiiSpanRead(kind=kind, start=start, end=end, text=sight.shown_pii(kind, text)))
    return TriageRead(
        ticket_id=triage.ticket_id,
        language=triage.language,
        sentiment_score=triage.sentiment_score,
        sentiment_label=triage.sentiment_label,
        intent=triage.intent,
        intent_confidence=triage.intent_confidence,
        is_intent_recognised=triage.is_intent_recognised,
        intent_source=triage.intent_source,
        priority=triage.priority,
        complexity=triage.complexity,
        pii=spans,
        model_version=triage.model_version,
        notes=list(triage.notes),
        chosen_category=triage.chosen_category,
        is_topic_disputed=triage.is_topic_disputed,
        bot_skip_reason=triage.bot_skip_reason,
        created_at=triage.created_at,
    )


def undeliverable_notice(customer: Customer, sight: Sight) -> str | None:
    """The banner for whoever replies when mail to the customer bounced for good.

    The bounce's reason passes the viewer's sight: an expert never reads the address in it.
    """
    if not customer.email_undeliverable:
        return None
    reason = sight.text(customer.email_undeliverable_reason or "no reason given")
    return f"Mail to this customer bounced: {reason}; they may not see replies by email"
