"""Outgoing mail goes through a real SMTP server from the job runner, retried on failure."""

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.channels.email import identity, outbound
from gigcx.channels.email.enums import AutoSubmitted, OutboundStatus
from gigcx.channels.email.models import OutboundEmail
from gigcx.jobs.models import Job
from tests.factories.tickets import run_jobs
from tests.servers.smtp import SmtpServer


def queue(session: Session, **overrides: object) -> OutboundEmail:
    fields: dict[str, object] = {
        "brand_id": None,
        "to": "casey@example.com",
        "subject": "Your request",
        "text": "We are on it.",
        "kind": "acknowledgement",
        "auto_submitted": AutoSubmitted.AUTO_REPLIED,
    }
    fields.update(overrides)
    return outbound.queue_email(session, **fields)  # type: ignore[arg-type]


def test_a_queued_mail_is_sent_by_the_job_runner_not_before(
    session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    email = queue(session)
    session.commit()
    assert smtp_server.received.messages == []

    run_jobs(factory)

    [received] = smtp_server.received.to("casey@example.com")
    assert received["Subject"] == "Your request"
    assert received["Message-ID"] == email.message_id
    assert received["Auto-Submitted"] == "auto-replied"
    assert received.get_content().strip() == "We are on it."
    session.refresh(email)
    assert email.status == OutboundStatus.SENT
    assert email.attempts == 1


def test_a_refused_address_fails_for_good_without_retries(
    session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    smtp_server.received.refused.add("gone@example.com")
    email = queue(session, to="gone@example.com")
    session.commit()

    run_jobs(factory)

    session.refresh(email)
    assert email.status == OutboundStatus.FAILED
    assert email.last_error is not None and "550" in email.last_error
    assert smtp_server.received.messages == []


def test_an_unreachable_server_is_retried_later_and_the_error_kept(
    session: Session, factory: sessionmaker[Session]
) -> None:
    email = queue(session, smtp_url="smtp://127.0.0.1:9")
    session.commit()

    run_jobs(factory)

    session.refresh(email)
    assert email.status == OutboundStatus.QUEUED
    assert email.attempts == 1
    assert email.last_error is not None and email.last_error.startswith("attempt 1:")
    retries = session.scalars(
        select(Job).where(
            Job.name == outbound.SEND_JOB, Job.payload["email_id"].as_string() == str(email.id)
        )
    ).all()
    assert len(retries) == 2
    assert max(job.run_at for job in retries) > email.created_at


def test_without_an_smtp_server_the_mail_says_so_and_nothing_is_queued(session: Session) -> None:
    email = queue(session)

    assert email.status == OutboundStatus.NOT_CONFIGURED
    jobs = session.scalars(select(Job).where(Job.name == outbound.SEND_JOB)).all()
    assert [job for job in jobs if job.payload["email_id"] == str(email.id)] == []


def test_smtp_addresses_are_read_or_refused_plainly() -> None:
    server = outbound.parse_smtp_url("smtp+starttls://me%40x.com:s3cret@mail.example.com")
    assert (server.host, server.port, server.username, server.password, server.security) == (
        "mail.example.com",
        587,
        "me@x.com",
        "s3cret",
        "starttls",
    )
    try:
        outbound.parse_smtp_url("http://mail.example.com")
    except Exception as error:
        assert "smtp://host:port" in str(error)
    else:
        raise AssertionError("an http URL was taken as an SMTP server")


def test_a_reply_address_names_its_ticket_and_a_changed_one_is_refused() -> None:
    ticket_id = uuid.uuid4()
    address = identity.reply_address("help@brand.example", ticket_id)

    assert address.startswith("help+") and address.endswith("@brand.example")
    assert len(address.partition("@")[0]) <= 64
    assert identity.ticket_id_from_address(f"Casey <{address}>") == ticket_id
    assert identity.ticket_id_from_address("help@brand.example") is None
    other = identity.reply_address("help@brand.example", uuid.uuid4())
    forged = address.partition("+")[0] + "+" + other.partition("+")[2][:-30] + address[-30:]
    with pytest.raises(identity.ForgedReplyAddress):
        identity.ticket_id_from_address(forged)
    with pytest.raises(identity.ForgedReplyAddress):
        identity.ticket_id_from_address("help+abc@brand.example")
