"""Everything a brand holds about one customer, as a zip (the right of access).

Internal notes on the customer's tickets are included: notes about a person are their personal
data. Who answered is given by kind (expert, in-house agent, bot), not by name: the staff's and
experts' identities are their own personal data, not the customer's.
"""

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gigcx.assist.models import BotAttempt, Triage
from gigcx.channels.chat.models import ChatEvent, ChatSession
from gigcx.channels.email.models import InboundEmail, OutboundEmail
from gigcx.channels.helpdesk.models import HelpdeskConnection, HelpdeskLink
from gigcx.privacy import orm
from gigcx.quality.models import Rating
from gigcx.rights.models import PrivacyRequest
from gigcx.rights.service._archive import Archive, safe_name
from gigcx.rights.service._wipe import mails_to, webhook_messages_naming
from gigcx.tickets.models import Attachment, Customer, Message, Ticket

README = """Your data held by {brand} on GigCX, as of {when} (UTC).

customer.json   who you are to {brand}: your email and name
tickets.json    each of your tickets: its messages (internal notes of the support team
                included), what was derived from it automatically (language, topic,
                sentiment, priority, where personal data was found), your ratings
attachments/    the files sent with the messages, by ticket
mails.json      mails you sent and mails sent to you; mails/ holds the ones received as sent
chats.json      your chat conversations as your chat window showed them
webhooks.json   notifications about your tickets that {brand} received from GigCX
helpdesk.json   links between your tickets and {brand}'s helpdesk
requests.json   your earlier requests to see or erase your data

Who answered you is given by kind (expert, in-house agent, bot), not by name.
"""


def _ticket_ids(session: Session, customer: Customer) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(Ticket.id).where(Ticket.customer_id == customer.id).order_by(Ticket.created_at)
        )
    )


def build_customer_export(
    session: Session, customer: Customer, *, brand_name: str, when: str
) -> tuple[bytes, dict[str, int]]:
    """Return the zip and how many records of each kind it holds."""
    archive = Archive()
    counts: dict[str, int] = {}
    ids = _ticket_ids(session, customer)
    archive.text("README.txt", README.format(brand=brand_name, when=when))
    archive.json(
        "customer.json",
        {
            "id": customer.id,
            "email": customer.email,
            "name": customer.name,
            "created_at": customer.created_at,
            "email_undeliverable": customer.email_undeliverable,
            "email_undeliverable_reason": customer.email_undeliverable_reason,
        },
    )
    tickets = [_ticket(session, archive, ticket_id, counts) for ticket_id in ids]
    archive.json("tickets.json", tickets)
    counts["tickets"] = len(tickets)
    archive.json("mails.json", _mails(session, archive, customer, ids, counts))
    archive.json("chats.json", _chats(session, ids, counts))
    archive.json("webhooks.json", _webhooks(session, customer, ids, counts))
    archive.json("helpdesk.json", _helpdesk(session, ids))
    requests = session.scalars(
        select(PrivacyRequest)
        .where(PrivacyRequest.subject_id == customer.id)
        .order_by(PrivacyRequest.created_at)
    )
    archive.json(
        "requests.json",
        [
            {
                "kind": r.kind,
                "status": r.status,
                "created_at": r.created_at,
                "finished_at": r.finished_at,
            }
            for r in requests
        ],
    )
    return archive.close(), counts


def _ticket(
    session: Session, archive: Archive, ticket_id: uuid.UUID, counts: dict[str, int]
) -> dict[str, Any]:
    ticket = session.get_one(Ticket, ticket_id)
    attachments: dict[uuid.UUID | None, list[dict[str, Any]]] = {}
    for attachment in session.scalars(
        select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(Attachment.created_at)
    ):
        path = f"attachments/{ticket_id}/{attachment.id.hex[:8]}-{safe_name(attachment.filename)}"
        archive.file(path, attachment.data)
        attachments.setdefault(attachment.message_id, []).append(
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "file": path,
            }
        )
        counts["attachments"] = counts.get("attachments", 0) + 1
    messages = []
    for message in session.scalars(
        select(Message).where(Message.ticket_id == ticket_id).order_by(Message.created_at)
    ):
        messages.append(
            {
                "created_at": message.created_at,
                "from": message.author_kind,
                "is_internal_note": message.is_internal,
                "body": message.body,
                "attachments": attachments.pop(message.id, []),
            }
        )
    counts["messages"] = counts.get("messages", 0) + len(messages)
    triage = session.scalar(select(Triage).where(Triage.ticket_id == ticket_id))
    rating = session.scalar(select(Rating).where(Rating.ticket_id == ticket_id))
    bot = session.scalar(select(BotAttempt).where(BotAttempt.ticket_id == ticket_id))
    return {
        "id": ticket.id,
        "created_at": ticket.created_at,
        "channel": ticket.channel,
        "language": ticket.language,
        "topic": ticket.category_name,
        "subject": ticket.subject,
        "status": ticket.status,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "escalation_reason": ticket.escalation_reason,
        "messages": messages,
        "other_attachments": [a for group in attachments.values() for a in group],
        "triage": None
        if triage is None
        else {
            "language": triage.language,
            "intent": triage.intent,
            "sentiment": triage.sentiment_label,
            "priority": triage.priority,
            "complexity": triage.complexity,
            "personal_data_found": [
                {**span, "text": _span_text(ticket, span)} for span in triage.pii
            ],
            "model_version": triage.model_version,
            "created_at": triage.created_at,
        },
        "bot_reply": None if bot is None else {"body": bot.body, "status": bot.status},
        "rating": None
        if rating is None
        else {
            "score": rating.score,
            "reason": rating.reason,
            "comment": rating.comment,
            "created_at": rating.created_at,
        },
    }


def _span_text(ticket: Ticket, span: dict[str, Any]) -> str:
    """What a stored PII span points at in the ticket's first message."""
    first = ticket.messages[0].body if ticket.messages else ""
    try:
        return first[int(span["start"]) : int(span["end"])]
    except (KeyError, TypeError, ValueError):
        return ""


def _mails(
    session: Session,
    archive: Archive,
    customer: Customer,
    ids: list[uuid.UUID],
    counts: dict[str, int],
) -> dict[str, Any]:
    inbound = []
    for mail in session.scalars(
        select(InboundEmail)
        .where(
            InboundEmail.brand_id == customer.brand_id,
            or_(
                InboundEmail.ticket_id.in_(ids),
                InboundEmail.sender_index
                == orm.email_index(session, customer.brand_id, customer.email),
            ),
        )
        .order_by(InboundEmail.created_at)
    ):
        path = f"mails/received-{mail.id.hex[:12]}.eml"
        archive.file(path, mail.raw)
        inbound.append(
            {
                "received_at": mail.created_at,
                "from": mail.sender,
                "subject": mail.subject,
                "outcome": mail.outcome,
                "ticket_id": mail.ticket_id,
                "file": path,
            }
        )
    sent = {
        mail.id: mail
        for mail in session.scalars(
            select(OutboundEmail).where(
                OutboundEmail.brand_id == customer.brand_id, OutboundEmail.ticket_id.in_(ids)
            )
        )
    }
    sent.update(
        (mail.id, mail) for mail in mails_to(session, [customer.email], brand_id=customer.brand_id)
    )
    outbound = [
        {
            "created_at": mail.created_at,
            "sent_at": mail.sent_at,
            "kind": mail.kind,
            "to": mail.to_address,
            "from": mail.from_address,
            "subject": mail.subject,
            "body": mail.text_body,
            "status": mail.status,
            "ticket_id": mail.ticket_id,
        }
        for mail in sorted(sent.values(), key=lambda m: (m.created_at, m.id))
    ]
    counts["mails"] = len(inbound) + len(outbound)
    return {"received": inbound, "sent": outbound}


def _chats(session: Session, ids: list[uuid.UUID], counts: dict[str, int]) -> list[dict[str, Any]]:
    chats = []
    for chat in session.scalars(
        select(ChatSession).where(ChatSession.ticket_id.in_(ids)).order_by(ChatSession.created_at)
    ):
        events = session.scalars(
            select(ChatEvent).where(ChatEvent.chat_session_id == chat.id).order_by(ChatEvent.seq)
        )
        chats.append(
            {
                "ticket_id": chat.ticket_id,
                "started_at": chat.created_at,
                "language": chat.language,
                "events": [
                    {
                        "at": e.created_at,
                        "kind": e.kind,
                        "from_you": e.is_from_visitor,
                        "shown": e.data,
                    }
                    for e in events
                ],
            }
        )
    counts["chats"] = len(chats)
    return chats


def _webhooks(
    session: Session, customer: Customer, ids: list[uuid.UUID], counts: dict[str, int]
) -> list[dict[str, Any]]:
    needles = [str(customer.id), customer.email, *(str(i) for i in ids)]
    found = webhook_messages_naming(session, needles, brand_ids=[customer.brand_id])
    rows = sorted(found, key=lambda m: (m.created_at, m.id))
    counts["webhook_messages"] = len(rows)
    return [
        {"id": m.id, "event_type": m.event_type, "created_at": m.created_at, "payload": m.payload}
        for m in rows
    ]


def _helpdesk(session: Session, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    rows = session.execute(
        select(HelpdeskLink, HelpdeskConnection.provider)
        .join(HelpdeskConnection, HelpdeskConnection.id == HelpdeskLink.connection_id)
        .where(HelpdeskLink.ticket_id.in_(ids))
    )
    return [
        {
            "ticket_id": link.ticket_id,
            "helpdesk": provider,
            "helpdesk_ticket": link.external_ticket_id,
            "helpdesk_requester": link.requester_id,
        }
        for link, provider in rows
    ]
