"""Mail no robot may answer: auto-replies, our own mail, floods from one sender, bounces.

Auto-replies and our own mail open no ticket and get no acknowledgement, so two robots never
answer each other forever. A sender who sends a mailbox more than the flood limit of mails in
an hour opens no more tickets that hour: the extra mail is kept as ignored, not lost. A
delivery-status report that says a mail to a customer failed for good (5.x.x) marks the
customer's address undeliverable; a temporary failure (4.x.x) is only logged.
"""

import logging
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.channels.email import identity
from gigcx.channels.email.models import InboundEmail, Mailbox
from gigcx.channels.email.parsing import DeliveryStatus, ParsedMail
from gigcx.config import get_settings
from gigcx.kit import clock
from gigcx.privacy import orm
from gigcx.tickets import queries as tickets_queries

log = logging.getLogger(__name__)

FLOOD_WINDOW = timedelta(hours=1)
ROBOT_SENDERS = frozenset(
    {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply"}
)
BULK_PRECEDENCE = frozenset({"bulk", "list", "junk", "auto_reply"})
REASON_LIMIT = 300


def auto_reply_reason(mail: ParsedMail) -> str | None:
    """Why a mail was sent by a robot (and must not be answered by one), or None."""
    auto_submitted = mail.header("Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "X-Loop"):
        if mail.has_header(name):
            return f"it carries {name}"
    precedence = mail.header("Precedence").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    if mail.has_header("List-Unsubscribe"):
        return "it is list mail (List-Unsubscribe)"
    local = mail.sender.partition("@")[0]
    if local in ROBOT_SENDERS:
        return f"it comes from {local}@, a robot's address"
    return None


def own_mail_reason(session: Session, mail: ParsedMail) -> str | None:
    """Why a mail is GigCX's own (our Message-ID, or sent from one of our mailboxes)."""
    if mail.message_id and identity.is_our_message_id(mail.message_id):
        return "its Message-ID is one GigCX made: our own mail came back"
    if session.scalar(select(Mailbox.id).where(func.lower(Mailbox.address) == mail.sender)):
        return "it comes from a GigCX mailbox"
    return None


def is_flood(session: Session, mailbox: Mailbox, sender: str) -> bool:
    """Whether the sender already sent this mailbox the most mails an hour may bring."""
    since = clock.now() - FLOOD_WINDOW
    count = session.scalar(
        select(func.count())
        .select_from(InboundEmail)
        .where(
            InboundEmail.mailbox_id == mailbox.id,
            InboundEmail.sender_index == orm.email_index(session, mailbox.brand_id, sender),
            InboundEmail.created_at >= since,
        )
    )
    return (count or 0) > get_settings().inbound_email_flood_limit


def _reason(status: DeliveryStatus) -> str:
    text = f"{status.status} {status.diagnostic}".strip()
    return text[:REASON_LIMIT]


def record_bounce(
    session: Session, brand_id: uuid.UUID, statuses: tuple[DeliveryStatus, ...]
) -> str:
    """Mark customers whose mail failed for good; return what was done, for the outcome."""
    done: list[str] = []
    for status in statuses:
        if not status.is_permanent:
            log.info(
                "temporary delivery failure to a customer (%s): %s", status.status, status.action
            )
            done.append(f"temporary failure {status.status}: only logged")
            continue
        customer = tickets_queries.customer_by_email(
            session, brand_id=brand_id, email=status.recipient
        )
        if customer is None:
            done.append(f"permanent failure {status.status} for an address of no customer")
            continue
        customer.email_undeliverable = True
        customer.email_undeliverable_reason = _reason(status)
        done.append(f"permanent failure {status.status}: the customer's address is undeliverable")
    session.flush()
    return "; ".join(done) or "a delivery-status report without recipients"
