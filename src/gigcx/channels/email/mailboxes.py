"""A brand's mailboxes: added and edited by its admins, polled by the job runner."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands.enums import Channel
from gigcx.brands.models import Program
from gigcx.channels.email.errors import InvalidMailbox
from gigcx.channels.email.imap import mask_url, parse_imap_url
from gigcx.channels.email.models import Mailbox
from gigcx.channels.email.outbound import parse_smtp_url
from gigcx.channels.email.schemas import MailboxIn
from gigcx.db.dialect import serialize
from gigcx.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock

POLL_JOB = "channels.email.poll"


def brand_mailboxes(session: Session, brand_id: uuid.UUID) -> Sequence[Mailbox]:
    return session.scalars(
        select(Mailbox).where(Mailbox.brand_id == brand_id).order_by(Mailbox.address)
    ).all()


def get_mailbox(session: Session, principal: Principal, mailbox_id: uuid.UUID) -> Mailbox:
    mailbox = session.get(Mailbox, mailbox_id)
    if mailbox is None or not principal.can_see_brand(mailbox.brand_id):
        raise NotFound("mailbox not found")
    return mailbox


def _check(
    session: Session, brand_id: uuid.UUID, data: MailboxIn, mailbox_id: uuid.UUID | None
) -> None:
    if data.smtp_url:
        try:
            parse_smtp_url(data.smtp_url)
        except InvalidInput:
            # Its own message repeats the address, password and all.
            raise InvalidMailbox(
                f"cannot read the SMTP address {mask_url(data.smtp_url)!r}: write it as "
                "smtp://host:port, smtp+starttls://user:password@host:587 or "
                "smtps://user:password@host:465"
            ) from None
    if data.imap_url:
        parse_imap_url(data.imap_url)
    program = session.get(Program, data.program_id)
    if program is None or program.brand_id != brand_id:
        raise InvalidMailbox("choose one of your brand's programs")
    if Channel.EMAIL not in program.channels:
        raise InvalidMailbox(
            f"program {program.name!r} does not take the email channel; add email to its "
            "channels first, or choose another program"
        )
    taken = session.scalar(
        select(Mailbox.id).where(func.lower(Mailbox.address) == data.address.lower())
    )
    if taken is not None and taken != mailbox_id:
        raise Conflict(f"the address {data.address} is already a GigCX mailbox")


def save_mailbox(
    session: Session, principal: Principal, data: MailboxIn, *, mailbox_id: uuid.UUID | None = None
) -> Mailbox:
    """Add a mailbox to the principal's brand, or change one; queue its polling."""
    if not principal.can_manage_brand or principal.brand_id is None:
        raise PermissionDenied("mailboxes are set up by the brand's admins")
    brand_id = principal.brand_id
    _check(session, brand_id, data, mailbox_id)
    if mailbox_id is None:
        mailbox = Mailbox(brand_id=brand_id, imap_last_uid=0)
        session.add(mailbox)
    else:
        mailbox = get_mailbox(session, principal, mailbox_id)
        if data.imap_url != mailbox.imap_url:
            # Another server or folder: its UIDs mean nothing here.
            mailbox.imap_uid_validity = None
            mailbox.imap_last_uid = 0
    mailbox.address = data.address.lower()
    mailbox.program_id = data.program_id
    mailbox.display_name = data.display_name.strip()
    mailbox.smtp_url = data.smtp_url.strip()
    mailbox.imap_url = data.imap_url.strip()
    mailbox.poll_seconds = data.poll_seconds
    mailbox.is_active = data.is_active
    session.flush()
    schedule_poll(session, mailbox, run_at=clock.now())
    return mailbox


def _queued_poll(session: Session, mailbox_id: uuid.UUID) -> Job | None:
    return session.scalars(
        select(Job)
        .where(
            Job.name == POLL_JOB,
            Job.status == JobStatus.QUEUED,
            Job.payload["mailbox_id"].as_string() == str(mailbox_id),
        )
        .order_by(Job.run_at)
        .limit(1)
    ).first()


def schedule_poll(session: Session, mailbox: Mailbox, *, run_at: datetime | None = None) -> None:
    """Keep one poll of the mailbox queued (at ``run_at``, else after its interval)."""
    if not mailbox.is_active or not mailbox.imap_url:
        return
    when = run_at or clock.now() + timedelta(seconds=mailbox.poll_seconds)
    serialize(session, f"jobs.queue:{POLL_JOB}:{mailbox.id}")
    queued = _queued_poll(session, mailbox.id)
    if queued is not None:
        queued.run_at = min(queued.run_at, when)
        return
    jobs_service.enqueue(session, POLL_JOB, {"mailbox_id": str(mailbox.id)}, run_at=when)


def schedule_polls(session: Session) -> None:
    """Queue a poll of every active mailbox with an IMAP address (once, however often called)."""
    mailboxes = session.scalars(
        select(Mailbox).where(Mailbox.is_active.is_(True), Mailbox.imap_url != "")
    ).all()
    for mailbox in mailboxes:
        schedule_poll(session, mailbox)
