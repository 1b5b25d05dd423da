"""Zendesk failing: 429 with Retry-After, 500s, a refused sign-in, a closed ticket; the limiter."""

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand
from gigcx.channels.helpdesk import ratelimit
from gigcx.channels.helpdesk import service as helpdesk_service
from gigcx.channels.helpdesk.enums import SyncStatus
from gigcx.channels.helpdesk.errors import HelpdeskRateLimited
from gigcx.channels.helpdesk.models import HelpdeskConnection, HelpdeskLink, HelpdeskSync
from gigcx.channels.helpdesk.zendesk import ZendeskConnector
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Ticket
from tests.factories.brands import brand_admin
from tests.factories.experts import make_expert
from tests.factories.helpdesk import TAG, connect, helpdesk_program
from tests.factories.tickets import make_ticket, run_jobs
from tests.servers.zendesk import AGENT_ID, FakeClock, Zendesk


def pull(session: Session, factory: sessionmaker[Session], connection: HelpdeskConnection) -> None:
    jobs_service.enqueue(session, helpdesk_service.PULL_JOB, {"connection_id": str(connection.id)})
    session.commit()
    run_jobs(factory)


def linked(
    session: Session, factory: sessionmaker[Session], zendesk: Zendesk
) -> tuple[HelpdeskConnection, HelpdeskLink, int]:
    """A connection with one ticket taken in and offered to an expert."""
    program = helpdesk_program(session)
    make_expert(session, programs=[program], capacity={"api": 2})
    connection = connect(session, program)
    session.commit()
    casey = zendesk.add_user("Casey", "casey@example.com")
    external = zendesk.add_ticket(
        subject="Help", description="Please help.", requester_id=casey, tags=[TAG]
    )
    pull(session, factory, connection)
    link = session.scalars(select(HelpdeskLink)).one()
    return connection, link, external.id


def agent_note(session: Session, link: HelpdeskLink, body: str) -> None:
    ticket = session.get_one(Ticket, link.ticket_id)
    admin = brand_admin_of(session, ticket)
    tickets_service.reply(session, admin, ticket.id, body, is_internal=True)
    session.commit()


def brand_admin_of(session: Session, ticket: Ticket) -> Principal:
    return brand_admin(session.get_one(Brand, ticket.brand_id))


def push_jobs(session: Session) -> list[Job]:
    """The push jobs waiting to run."""
    session.expire_all()
    jobs = jobs_service.list_jobs(session, name=helpdesk_service.PUSH_JOB)
    return [job for job in jobs if job.status == JobStatus.QUEUED]


def test_a_429_puts_the_write_off_by_retry_after_and_it_lands_once_later(
    session: Session, factory: sessionmaker[Session], zendesk: Zendesk, limiter_clock: FakeClock
) -> None:
    connection, link, external_id = linked(session, factory, zendesk)
    zendesk.fail_429.append(f"/api/v2/tickets/{external_id}.json")

    agent_note(session, link, "Checking the invoice.")
    run_jobs(factory)

    assert zendesk.comments_by(external_id, AGENT_ID) == []
    sync = session.scalars(select(HelpdeskSync)).one()
    session.refresh(sync)
    assert (sync.status, sync.attempts) == (SyncStatus.QUEUED, 1)
    [retry] = push_jobs(session)
    assert timedelta(seconds=92) < retry.run_at - sync.created_at < timedelta(seconds=120)
    session.refresh(connection)
    assert connection.last_error == "push: rate limited: try again in 93 s"

    limiter_clock.time += 100  # the account's pause is over for the limiter too
    with clock.shifted(timedelta(seconds=100)):
        run_jobs(factory)

    [note] = zendesk.comments_by(external_id, AGENT_ID)
    assert (note.body, note.public) == ("Checking the invoice.", False)
    session.refresh(sync)
    assert (sync.status, sync.attempts) == (SyncStatus.DONE, 2)


def test_a_failing_export_keeps_the_cursor_and_the_next_pull_takes_the_ticket_once(
    session: Session, factory: sessionmaker[Session], zendesk: Zendesk
) -> None:
    program = helpdesk_program(session)
    connection = connect(session, program)
    session.commit()
    casey = zendesk.add_user("Casey", "casey@example.com")
    zendesk.add_ticket(subject="Help", description="Please.", requester_id=casey, tags=[TAG])
    zendesk.fail_500.append("/incremental/")

    pull(session, factory, connection)
    session.refresh(connection)
    assert connection.cursor is None
    assert connection.last_error is not None and "HTTP 500" in connection.last_error
    assert session.scalars(select(HelpdeskLink)).all() == []

    pull(session, factory, connection)
    pull(session, factory, connection)
    session.refresh(connection)
    assert len(session.scalars(select(HelpdeskLink)).all()) == 1
    assert connection.cursor is not None and connection.last_error is None


def test_a_refused_sign_in_keeps_the_write_waiting_and_a_closed_ticket_fails_it_for_good(
    session: Session, factory: sessionmaker[Session], zendesk: Zendesk
) -> None:
    connection, link, external_id = linked(session, factory, zendesk)
    connection.api_token = "wrong-token"
    session.commit()

    agent_note(session, link, "First note.")
    run_jobs(factory)

    first = session.scalars(select(HelpdeskSync)).one()
    session.refresh(first)
    assert (first.status, first.attempts) == (SyncStatus.QUEUED, 1)
    assert (
        first.last_error is not None and "check the agent email and API token" in first.last_error
    )

    connection.api_token = zendesk.token
    zendesk.tickets[external_id].status = "closed"
    session.commit()
    with clock.shifted(timedelta(minutes=5)):
        run_jobs(factory)

    session.refresh(first)
    assert first.status == SyncStatus.FAILED
    assert first.last_error is not None and "closed prevents ticket update" in first.last_error
    assert zendesk.comments_by(external_id, AGENT_ID) == []
    status = helpdesk_service.status_of(session, connection)
    assert (status.writes_failed, status.writes_queued) == (1, 0)
    session.refresh(connection)
    assert "closed prevents ticket update" in (connection.last_error or "")


def test_a_reply_on_a_ticket_zendesk_never_had_queues_nothing(
    session: Session, factory: sessionmaker[Session], zendesk: Zendesk
) -> None:
    program = helpdesk_program(session)
    connect(session, program)
    ticket = make_ticket(session, program, route=False)
    tickets_service.reply(
        session,
        brand_admin_of(session, ticket),
        ticket.id,
        "Hello",
        is_internal=False,
    )
    session.commit()

    run_jobs(factory)

    assert session.scalars(select(HelpdeskSync)).all() == []
    assert zendesk.requests == []


def test_the_token_bucket_paces_calls_and_a_429_pauses_the_account() -> None:
    fake = FakeClock()
    bucket = ratelimit.TokenBucket(
        per_minute=60, clock=ratelimit.Clock(now=fake.now, sleep=fake.sleep)
    )

    for _ in range(6):  # the burst: a tenth of the minute's budget
        bucket.acquire()
    assert fake.slept == 0.0
    bucket.acquire()
    assert fake.slept == pytest.approx(1.0)

    bucket.pause(93)
    with pytest.raises(HelpdeskRateLimited) as refused:
        bucket.acquire()
    assert refused.value.retry_after == pytest.approx(93.0)
    assert fake.slept == pytest.approx(1.0)


def test_a_zendesk_webhook_signature_is_checked(zendesk: Zendesk) -> None:
    connector = ZendeskConnector(
        base_url=zendesk.url, email="a@b.c", api_token="t", agent_id=1, requests_per_minute=60
    )
    body = b'{"type":"zen:event-type:ticket.comment_added"}'
    stamp = "2026-12-03T23:00:00Z"
    signature = base64.b64encode(
        hmac.new(b"secret", stamp.encode() + body, hashlib.sha256).digest()
    ).decode()
    headers = {
        "X-Zendesk-Webhook-Signature": signature,
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }

    assert connector.verify_webhook(headers, body, "secret") is True
    assert connector.verify_webhook(headers, body + b" ", "secret") is False
    assert connector.verify_webhook({}, body, "secret") is False
    connector.close()
