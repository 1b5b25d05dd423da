"""Wipe the content of tickets, keeping the rows and numbers that aggregates, pay and audit need.

What goes: subjects, message bodies (internal notes too), attachments, raw and sent mail, chat
transcripts, triage's PII spans and notes, the bot's replies, drafts proposed from the tickets,
rating comments, helpdesk requesters and notes, webhook payloads that named the tickets. Text
that others wrote about the work (QA comments, calibration notes, appeals, expert feedback) stays,
with the person's email and name replaced by ``[erased]``.
"""

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from gigcx.assist.enums import AnswerStatus
from gigcx.assist.models import Answer, BotAttempt, Triage
from gigcx.channels.chat.models import ChatEvent, ChatSession
from gigcx.channels.community.models import Feedback
from gigcx.channels.email.models import InboundEmail, OutboundEmail
from gigcx.channels.helpdesk.models import HelpdeskLink, HelpdeskSync
from gigcx.channels.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookMessage
from gigcx.kit import clock
from gigcx.quality.models import Calibration, Dispute, Rating, Review
from gigcx.rights.enums import ErasureCause
from gigcx.rights.models import TicketErasure
from gigcx.rights.service._subjects import ERASED
from gigcx.tickets.models import Attachment, Inquiry, Message, Ticket

CHUNK = 200
ERASED_PAYLOAD_DATA = {"erased": True}
# A received mail once wiped: nothing of it is kept but that it came.
WIPED_INBOUND: dict[str, Any] = {
    "raw": b"",
    "sender": "",
    "subject": ERASED,
    "detail": "",
    "header_message_id": None,
}


@dataclass
class Counts:
    """How many records of each kind were wiped."""

    values: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, number: int) -> None:
        if number:
            self.values[kind] = self.values.get(kind, 0) + number


def needles_for(*identifiers: str) -> list[str]:
    """The strings that name a person: each identifier, and each word of a name of 3+ letters."""
    found: set[str] = set()
    for identifier in identifiers:
        identifier = identifier.strip()
        if not identifier:
            continue
        found.add(identifier)
        if "@" not in identifier:
            found.update(word for word in identifier.split() if len(word) >= 3)
    return sorted(found, key=lambda n: (-len(n), n))


def redact(text: str, needles: Sequence[str]) -> str:
    """``text`` with every needle (any case) replaced by ``[erased]``."""
    for needle in needles:
        text = re.sub(re.escape(needle), ERASED, text, flags=re.IGNORECASE)
    return text


def chunks(ids: Sequence[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def set_each(session: Session, model: type[Any], *where: Any, **values: Any) -> int:
    """Set ``values`` on every row of ``model`` that matches, through the objects.

    Encrypted columns are sealed as their objects are flushed: a Core ``update`` would store
    clear text that no longer opens.
    """
    count = 0
    for row in session.scalars(select(model).where(*where)):
        for name, value in values.items():
            setattr(row, name, value)
        count += 1
    session.flush()
    return count


def mails_to(
    session: Session, emails: Sequence[str], *, brand_id: uuid.UUID | None = None
) -> list[OutboundEmail]:
    """Mail sent to any of ``emails`` (any case). Addresses are encrypted, so they are compared
    after opening, a brand's mail (or all mail) at a time: a cost paid only by rights requests."""
    wanted = {email.strip().lower() for email in emails}
    statement = select(OutboundEmail).execution_options(yield_per=500)
    if brand_id is not None:
        statement = statement.where(OutboundEmail.brand_id == brand_id)
    return [
        mail for mail in session.scalars(statement) if mail.to_address.strip().lower() in wanted
    ]


def webhook_messages_naming(
    session: Session, needles: Sequence[str], *, brand_ids: Iterable[uuid.UUID | None]
) -> list[WebhookMessage]:
    """Webhook messages of these brands whose payload names one of ``needles``. Payloads are
    encrypted, so each is opened and searched here."""
    wanted = [needle.lower() for needle in needles if needle]
    found: list[WebhookMessage] = []
    if not wanted:
        return found
    for brand_id in set(brand_ids):
        statement = select(WebhookMessage).execution_options(yield_per=500)
        if brand_id is not None:
            statement = statement.where(WebhookMessage.brand_id == brand_id)
        for message in session.scalars(statement):
            text = json.dumps(message.payload, default=str).lower()
            if any(needle in text for needle in wanted):
                found.append(message)
    return found


def wipe_tickets(
    session: Session,
    ticket_ids: Sequence[uuid.UUID],
    *,
    cause: ErasureCause,
    needles: Sequence[str] = (),
    counts: Counts | None = None,
) -> Counts:
    """Wipe the content of these tickets once; tickets wiped before are skipped."""
    counts = counts or Counts()
    already = (
        set(
            session.scalars(
                select(TicketErasure.ticket_id).where(TicketErasure.ticket_id.in_(ticket_ids))
            )
        )
        if ticket_ids
        else set()
    )
    todo = [ticket_id for ticket_id in ticket_ids if ticket_id not in already]
    for batch in chunks(todo):
        _wipe_batch(session, batch, needles=needles, counts=counts)
        now = clock.now()
        session.add_all(TicketErasure(ticket_id=t, cause=cause, erased_at=now) for t in batch)
        counts.add("tickets", len(batch))
    session.flush()
    session.expire_all()
    return counts


def _wipe_batch(
    session: Session, ids: list[uuid.UUID], *, needles: Sequence[str], counts: Counts
) -> None:
    session.flush()
    set_each(
        session, Ticket, Ticket.id.in_(ids), subject=ERASED, idempotency_key=None, request_hash=None
    )
    set_each(session, Inquiry, Inquiry.ticket_id.in_(ids), idempotency_key=None, request_hash="")
    set_each(
        session,
        Ticket,
        Ticket.id.in_(ids),
        Ticket.escalation_reason.is_not(None),
        escalation_reason=ERASED,
    )
    counts.add("messages", set_each(session, Message, Message.ticket_id.in_(ids), body=ERASED))
    counts.add(
        "attachments",
        _rowcount(session.execute(delete(Attachment).where(Attachment.ticket_id.in_(ids)))),
    )
    counts.add(
        "triages",
        _rowcount(
            session.execute(
                update(Triage).where(Triage.ticket_id.in_(ids)).values(pii=[], notes=[])
            )
        ),
    )
    counts.add(
        "bot_replies",
        _rowcount(
            session.execute(
                update(BotAttempt).where(BotAttempt.ticket_id.in_(ids)).values(body=ERASED)
            )
        ),
    )
    _wipe_answers(session, ids, needles=needles, counts=counts)
    counts.add(
        "rating_comments",
        _rowcount(
            session.execute(
                update(Rating)
                .where(Rating.ticket_id.in_(ids), Rating.comment != "")
                .values(comment="")
            )
        ),
    )
    counts.add(
        "inbound_mails",
        set_each(
            session,
            InboundEmail,
            InboundEmail.ticket_id.in_(ids),
            **WIPED_INBOUND,
        ),
    )
    counts.add(
        "outbound_mails",
        set_each(
            session,
            OutboundEmail,
            OutboundEmail.ticket_id.in_(ids),
            subject=ERASED,
            text_body=ERASED,
            headers={},
            last_error=None,
        ),
    )
    chats = list(session.scalars(select(ChatSession.id).where(ChatSession.ticket_id.in_(ids))))
    if chats:
        session.execute(update(ChatSession).where(ChatSession.id.in_(chats)).values(ip_hash=ERASED))
        counts.add(
            "chat_events",
            set_each(
                session,
                ChatEvent,
                ChatEvent.chat_session_id.in_(chats),
                data=ERASED_PAYLOAD_DATA,
                idempotency_key=None,
            ),
        )
        counts.add("chats", len(chats))
    links = list(session.scalars(select(HelpdeskLink.id).where(HelpdeskLink.ticket_id.in_(ids))))
    if links:
        session.execute(
            update(HelpdeskLink)
            .where(HelpdeskLink.id.in_(links))
            .values(requester_id=0, external_updated_at="")
        )
        session.execute(
            update(HelpdeskSync)
            .where(HelpdeskSync.link_id.in_(links))
            .values(note=ERASED, last_error=None)
        )
        counts.add("helpdesk_links", len(links))
    brand_ids = session.scalars(select(Ticket.brand_id).where(Ticket.id.in_(ids)).distinct())
    wipe_webhook_payloads(session, [str(i) for i in ids], counts=counts, brand_ids=list(brand_ids))
    _redact_others_texts(session, ids, needles=needles)


def _wipe_answers(
    session: Session, ids: list[uuid.UUID], *, needles: Sequence[str], counts: Counts
) -> None:
    """Drafts proposed from the tickets go; an approved answer stays (reviewed, scrubbed
    knowledge of the brand) without the record of what was taken out of it."""
    for answer in session.scalars(select(Answer).where(Answer.source_ticket_id.in_(ids))):
        answer.removals = []
        if answer.status == AnswerStatus.APPROVED:
            answer.title = redact(answer.title, needles)
            answer.body = redact(answer.body, needles)
        else:
            answer.title = ERASED
            answer.body = ERASED
            answer.review_note = ""
        counts.add("answer_drafts", 1)


def wipe_webhook_payloads(
    session: Session,
    needles: Sequence[str],
    *,
    counts: Counts,
    brand_ids: Sequence[uuid.UUID | None] = (None,),
) -> None:
    """Replace the payload of every webhook message that mentions one of ``needles`` (ids or an
    email), and the receivers' answers to it."""
    for message in webhook_messages_naming(session, needles, brand_ids=brand_ids):
        if message.payload.get("data") == ERASED_PAYLOAD_DATA:
            continue
        message.payload = {
            "type": message.payload.get("type", message.event_type),
            "timestamp": message.payload.get("timestamp", ""),
            "data": ERASED_PAYLOAD_DATA,
        }
        deliveries = select(WebhookDelivery.id).where(WebhookDelivery.message_id == message.id)
        session.execute(
            update(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(deliveries))
            .values(response_snippet="", error=None)
        )
        counts.add("webhook_payloads", 1)
    session.flush()


def _redact_others_texts(session: Session, ids: list[uuid.UUID], *, needles: Sequence[str]) -> None:
    if not needles:
        return
    for review in session.scalars(select(Review).where(Review.ticket_id.in_(ids))):
        review.comment = redact(review.comment, needles)
    for calibration in session.scalars(select(Calibration).where(Calibration.ticket_id.in_(ids))):
        calibration.note = redact(calibration.note, needles)
    for feedback in session.scalars(select(Feedback).where(Feedback.ticket_id.in_(ids))):
        feedback.body = redact(feedback.body, needles)
        feedback.reply = redact(feedback.reply, needles)
    rated = select(Rating.id).where(Rating.ticket_id.in_(ids))
    reviewed = select(Review.id).where(Review.ticket_id.in_(ids))
    for dispute in session.scalars(
        select(Dispute).where(or_(Dispute.subject_id.in_(rated), Dispute.subject_id.in_(reviewed)))
    ):
        dispute.reason = redact(dispute.reason, needles)
        dispute.decision_reason = redact(dispute.decision_reason, needles)
    session.flush()
