"""Job handlers of the email channel."""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.channels.email import imap, mailboxes, outbound
from gigcx.channels.email.models import Mailbox
from gigcx.jobs.registry import handler
from gigcx.kit import clock


@handler(outbound.SEND_JOB, timeout=timedelta(seconds=outbound.SMTP_TIMEOUT_SECONDS * 3))
def send_email(session: Session, payload: dict[str, Any]) -> None:
    """Send one queued mail over SMTP."""
    outbound.send_email(session, uuid.UUID(payload["email_id"]))


def _rearm_poll(session: Session, payload: dict[str, Any]) -> None:
    mailbox = session.get(Mailbox, uuid.UUID(payload["mailbox_id"]))
    if mailbox is not None:
        mailboxes.schedule_poll(session, mailbox)


@handler(mailboxes.POLL_JOB, timeout=timedelta(minutes=5), rearm=_rearm_poll)
def poll_mailbox(session: Session, payload: dict[str, Any]) -> None:
    """Take a mailbox's new mail over IMAP; failures to reach it are kept on the mailbox."""
    mailbox_id = uuid.UUID(payload["mailbox_id"])
    result = imap.poll(session, mailbox_id)
    mailbox = session.get(Mailbox, mailbox_id)
    if result is not None and result.has_more and mailbox is not None:
        mailboxes.schedule_poll(session, mailbox, run_at=clock.now())


def schedule_polls(session: Session) -> None:
    """Queue a poll of each mailbox that has an IMAP address (each run queues the next)."""
    mailboxes.schedule_polls(session)
