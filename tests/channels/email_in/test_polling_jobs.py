"""The job runner polls each mailbox at its interval; `gigcx mail listen` needs a port."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from gigcx.channels.email import mailboxes
from gigcx.channels.email.models import Mailbox
from gigcx.cli.main import app
from gigcx.cli.serve import schedule_recurring_jobs
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from tests.channels.email_in.helpers import make_desk, make_mail, tickets_of
from tests.factories.tickets import run_jobs
from tests.servers.imap import ImapServer


def queued_polls(session: Session, mailbox: Mailbox) -> list[Job]:
    return list(
        session.scalars(
            select(Job).where(
                Job.name == mailboxes.POLL_JOB,
                Job.status == JobStatus.QUEUED,
                Job.payload["mailbox_id"].as_string() == str(mailbox.id),
            )
        )
    )


def test_the_job_runner_polls_a_mailbox_and_queues_its_next_poll(
    session: Session, factory: sessionmaker[Session], imap_server: ImapServer
) -> None:
    imap_server.create_folder("by-the-runner")
    desk = make_desk(session, imap_url=imap_server.url("by-the-runner"))
    paused = make_desk(session, imap_url=imap_server.url("by-the-runner"))
    paused.mailbox.is_active = False
    imap_server.append("by-the-runner", make_mail(to=desk.address, subject="Polled"))

    schedule_recurring_jobs(session)
    schedule_recurring_jobs(session)
    [first] = queued_polls(session, desk.mailbox)
    assert queued_polls(session, paused.mailbox) == []
    mailboxes.schedule_poll(session, desk.mailbox, run_at=clock.now())
    assert queued_polls(session, desk.mailbox) == [first]
    session.commit()

    run_jobs(factory)

    assert [t.subject for t in tickets_of(session, desk)] == ["Polled"]
    mailbox = session.get_one(Mailbox, desk.mailbox.id)
    session.refresh(mailbox)
    assert mailbox.last_error is None and mailbox.last_polled_at is not None
    [following] = queued_polls(session, desk.mailbox)
    assert following.id != first.id
    assert following.run_at >= mailbox.last_polled_at + timedelta(seconds=59)


def test_mail_listen_without_a_port_says_how_to_give_one() -> None:
    result = CliRunner().invoke(app, ["mail", "listen"], env={"COLUMNS": "200"})

    assert result.exit_code == 1
    assert "gigcx mail listen --port 2424" in result.output
