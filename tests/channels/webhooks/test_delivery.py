"""Deliveries reach a real receiver, signed so the reference library verifies them, retried on
the specification's schedule (on a moved clock), and stopped by 410, by redirects never."""

import json
import random
import uuid
from contextlib import ExitStack
from datetime import timedelta
from email.utils import format_datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import WebhookVerificationError

from gigcx.channels.email.models import OutboundEmail
from gigcx.channels.webhooks import delivery, messages
from gigcx.channels.webhooks.enums import (
    AttemptOutcome,
    DeliveryStatus,
    DisabledReason,
    EndpointStatus,
)
from gigcx.channels.webhooks.models import WebhookMessage
from gigcx.jobs.events import EventType
from gigcx.jobs.models import Job
from gigcx.kit import clock
from tests.channels.webhooks.helpers import attempts_of, deliveries_of, emit, make_endpoint
from tests.channels.webhooks.receiver import Answer, Receiver
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.tickets import make_ticket, run_jobs
from tests.servers.smtp import SmtpServer


def test_an_event_reaches_the_receiver_signed_so_the_reference_library_verifies_it(
    session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    brand = make_brand(session)
    endpoint, secret = make_endpoint(session, brand, receiver.url())
    receiver.secrets.append(secret)
    emit(session, brand, EventType.TICKET_RESOLVED, ticket_id="t-1", reason="Solved: Ana Lopez")
    session.commit()

    run_jobs(factory)

    [request] = receiver.requests
    [message] = session.scalars(select(WebhookMessage).where(WebhookMessage.brand_id == brand.id))
    assert request.verified[secret] == {
        "type": "ticket.resolved",
        "timestamp": message.payload["timestamp"],
        "data": {"ticket_id": "t-1"},
    }
    assert request.headers["webhook-id"] == message.id and message.id.startswith("msg_")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert request.headers["webhook-signature"].count("v1,") == 1
    [sent] = deliveries_of(session, endpoint)
    assert sent.status == DeliveryStatus.SUCCEEDED
    [attempt] = attempts_of(session, endpoint)
    assert (attempt.n, attempt.outcome, attempt.status_code) == (1, "succeeded", 204)


def test_a_ticket_event_carries_ids_and_no_customer_details(
    session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    make_endpoint(session, brand, receiver.url(), event_types=("ticket.created",))
    ticket = make_ticket(
        session,
        program,
        route=False,
        customer={"email": "zoe.private@example.com", "name": "Zoe Private"},
        body="My card 4111 was charged twice",
    )
    session.commit()

    run_jobs(factory)

    [request] = receiver.requests
    assert b"zoe" not in request.body.lower() and b"4111" not in request.body
    assert request.body.startswith(b'{"type":"ticket.created","timestamp":')
    assert json.loads(request.body)["data"] == {
        "ticket_id": str(ticket.id),
        "program_id": str(program.id),
        "channel": ticket.channel,
        "language": "en",
        "category": "billing",
    }


def test_a_brand_without_endpoints_gets_no_message(
    session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    brand = make_brand(session)
    other = make_brand(session)
    make_endpoint(session, other, receiver.url(), event_types=("payout.created",))
    emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-1")
    emit(session, other, EventType.TICKET_CREATED, ticket_id="t-2")
    session.commit()

    run_jobs(factory)

    assert receiver.requests == []
    count = session.scalars(
        select(WebhookMessage).where(WebhookMessage.brand_id.in_([brand.id, other.id]))
    ).all()
    assert count == []


def test_a_receiver_failing_three_times_then_succeeding_gets_the_event_once_by_id(
    session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    brand = make_brand(session)
    endpoint, secret = make_endpoint(session, brand, receiver.url())
    receiver.secrets.append(secret)
    receiver.answer(Answer(500), Answer(503), Answer(500))
    emit(session, brand, EventType.OFFER_ACCEPTED, offer_id="o-1", ticket_id="t-1")
    session.commit()

    with ExitStack() as moved:
        run_jobs(factory)
        for _ in range(3):
            [current] = deliveries_of(session, endpoint)
            assert current.next_attempt_at is not None
            moved.enter_context(clock.travel_to(current.next_attempt_at))
            run_jobs(factory)
        moved.enter_context(clock.shifted(timedelta(days=4)))
        run_jobs(factory)

    assert [r.status for r in receiver.requests] == [500, 503, 500, 204]
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert all(
        r.verified[secret] == receiver.requests[0].verified[secret] for r in receiver.requests
    )
    assert len(receiver.handled) == 1
    [done] = deliveries_of(session, endpoint)
    assert (done.status, done.attempt_count) == (DeliveryStatus.SUCCEEDED, 4)
    session.refresh(endpoint)
    assert endpoint.failing_since is None


def test_retries_follow_the_schedule_with_jitter_then_stop(
    session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    brand = make_brand(session)
    endpoint, secret = make_endpoint(session, brand, receiver.url())
    receiver.secrets.append(secret)
    receiver.default = Answer(500, body=b"x" * 5000)
    emit(session, brand, EventType.PAYOUT_CREATED, payout_id="p-1", week="2026-W49")
    session.commit()
    same_seed = random.Random(11)
    expected = [base * (1 + same_seed.uniform(-0.1, 0.1)) for base in delivery.SCHEDULE[1:]]

    with ExitStack() as moved:
        run_jobs(factory)
        for _ in range(9):
            [current] = deliveries_of(session, endpoint)
            assert current.next_attempt_at is not None
            moved.enter_context(clock.travel_to(current.next_attempt_at))
            run_jobs(factory)
        moved.enter_context(clock.shifted(timedelta(days=2)))
        run_jobs(factory)

    attempts = attempts_of(session, endpoint)
    assert [a.n for a in attempts] == list(range(1, 11))
    waits = [a.next_attempt_at - a.attempted_at for a in attempts[:-1] if a.next_attempt_at]
    assert waits == expected
    assert attempts[-1].next_attempt_at is None
    assert [len(a.response_snippet) for a in attempts] == [1024] * 10
    assert {a.outcome for a in attempts} == {AttemptOutcome.FAILED}
    assert attempts[0].error == "the receiver answered 500"
    [failed] = deliveries_of(session, endpoint)
    assert failed.status == DeliveryStatus.FAILED
    assert len(receiver.requests) == 10
    assert all(not isinstance(r.verified[secret], Exception) for r in receiver.requests)
    session.refresh(endpoint)
    assert endpoint.status == EndpointStatus.ACTIVE and endpoint.failing_since is not None


def test_the_jitter_stays_within_a_tenth_of_each_wait() -> None:
    for step, base in enumerate(delivery.SCHEDULE):
        for _ in range(50):
            wait = delivery.retry_wait(step)
            assert base * 0.9 <= wait <= base * 1.1


def test_410_disables_the_endpoint_at_once_and_tells_the_admins(
    session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    brand = make_brand(session)
    endpoint, _ = make_endpoint(session, brand, receiver.url())
    receiver.answer(Answer(410))
    emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-1")
    emit(session, brand, EventType.TICKET_ASSIGNED, ticket_id="t-1")
    session.commit()

    run_jobs(factory)
    with clock.shifted(timedelta(days=3)):
        run_jobs(factory)

    assert [r.status for r in receiver.requests] == [410]
    session.refresh(endpoint)
    assert endpoint.status == EndpointStatus.DISABLED
    assert endpoint.disabled_reason == DisabledReason.GONE
    statuses = sorted(d.status for d in deliveries_of(session, endpoint))
    assert statuses == [DeliveryStatus.CANCELED, DeliveryStatus.FAILED]
    [attempt] = attempts_of(session, endpoint)
    assert (attempt.outcome, attempt.next_attempt_at) == (AttemptOutcome.GONE, None)
    mails = session.scalars(
        select(OutboundEmail).where(
            OutboundEmail.brand_id == brand.id, OutboundEmail.kind == "webhook_disabled"
        )
    ).all()
    assert [m.subject for m in mails] == [f"Webhook endpoint disabled: {receiver.url()}"]


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    brand = make_brand(session)
    endpoint, _ = make_endpoint(session, brand, receiver.url())
    receiver.answer(Answer(302, headers={"Location": receiver.url("/elsewhere")}))
    emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-1")
    session.commit()

    run_jobs(factory)

    assert [r.path for r in receiver.requests] == ["/hook"]
    [attempt] = attempts_of(session, endpoint)
    assert attempt.outcome == AttemptOutcome.FAILED and attempt.status_code == 302
    assert attempt.error == (
        f"redirect to {receiver.url('/elsewhere')} not followed: a webhook receiver must answer 2xx"
    )
    [pending] = deliveries_of(session, endpoint)
    assert pending.status == DeliveryStatus.PENDING and pending.step == 1


def test_a_retry_after_date_is_honoured(
    session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    brand = make_brand(session)
    endpoint, _ = make_endpoint(session, brand, receiver.url())
    later = (clock.now() + timedelta(hours=2)).replace(microsecond=0)
    receiver.answer(Answer(429, headers={"Retry-After": format_datetime(later, usegmt=True)}))
    emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-1")
    session.commit()

    run_jobs(factory)
    with clock.travel_to(later - timedelta(minutes=1)):
        run_jobs(factory)
    assert len(receiver.requests) == 1
    with clock.travel_to(later):
        run_jobs(factory)

    first, second = attempts_of(session, endpoint)
    assert first.outcome == AttemptOutcome.THROTTLED and first.next_attempt_at == later
    assert second.outcome == AttemptOutcome.SUCCEEDED
    assert len(receiver.requests) == 2


def test_retry_after_is_read_in_seconds_or_as_a_date_and_capped() -> None:
    now = clock.now().replace(microsecond=0)
    in_an_hour = format_datetime(now + timedelta(hours=1), usegmt=True)

    assert delivery.retry_after("120", now) == timedelta(seconds=120)
    assert delivery.retry_after(in_an_hour, now) == timedelta(hours=1)
    assert delivery.retry_after("999999999999", now) == timedelta(hours=24)
    assert delivery.retry_after(format_datetime(now + timedelta(days=9), usegmt=True), now) == (
        timedelta(hours=24)
    )
    assert delivery.retry_after(format_datetime(now - timedelta(days=1), usegmt=True), now) == (
        timedelta(0)
    )
    assert delivery.retry_after("soon", now) is None
    assert delivery.retry_after(None, now) is None


def test_an_endpoint_failing_for_five_days_is_disabled_and_its_admins_mailed(
    session: Session,
    factory: sessionmaker[Session],
    receiver: Receiver,
    smtp_server: SmtpServer,
) -> None:
    brand = make_brand(session)
    endpoint, _ = make_endpoint(session, brand, receiver.url())
    receiver.default = Answer(500)
    emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-1")
    session.commit()
    run_jobs(factory)
    session.refresh(endpoint)
    started = endpoint.failing_since
    assert started is not None

    with clock.travel_to(started + timedelta(days=4, hours=23)):
        emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-2")
        session.commit()
        run_jobs(factory)
        session.refresh(endpoint)
        still = endpoint.status
    assert still == EndpointStatus.ACTIVE
    assert smtp_server.received.messages == []
    with clock.travel_to(started + timedelta(days=5)):
        emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-3")
        session.commit()
        run_jobs(factory)

    session.refresh(endpoint)
    assert endpoint.status == EndpointStatus.DISABLED
    assert endpoint.disabled_reason == DisabledReason.FAILING
    assert {d.status for d in deliveries_of(session, endpoint)} == {
        DeliveryStatus.FAILED,
        DeliveryStatus.CANCELED,
    }
    admin = f"admin{brand.slug.removeprefix('brand-')}@{brand.slug.replace('-', '')}.example.com"
    [mail] = smtp_server.received.to(admin)
    assert mail["Subject"] == f"Webhook endpoint disabled: {receiver.url()}"
    assert "every attempt since" in mail.get_content()
    assert mail["Auto-Submitted"] == "auto-generated"


def test_a_job_left_from_before_a_replay_sends_nothing(
    session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    brand = make_brand(session)
    endpoint, _ = make_endpoint(session, brand, receiver.url())
    emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-1")
    session.commit()
    run_jobs(factory)
    [sent] = deliveries_of(session, endpoint)

    delivery.deliver(session, sent.id, sent.job_token - 1)
    delivery.deliver(session, sent.id, sent.job_token)
    delivery.deliver(session, uuid.uuid4(), 1)
    session.commit()

    assert len(receiver.requests) == 1
    assert len(attempts_of(session, endpoint)) == 1
    jobs = session.scalars(select(Job).where(Job.name == delivery.SEND_JOB)).all()
    assert len([j for j in jobs if j.payload["delivery_id"] == str(sent.id)]) == 1


def test_signatures_fail_with_another_secret(
    session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    brand = make_brand(session)
    make_endpoint(session, brand, receiver.url())
    _, other_secret = make_endpoint(session, make_brand(session), receiver.url("/other"))
    receiver.secrets.append(other_secret)
    emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-1")
    session.commit()

    run_jobs(factory)

    [request] = receiver.requests
    assert isinstance(request.verified[other_secret], WebhookVerificationError)
    assert receiver.handled == []


def test_a_message_replayed_twice_before_the_runner_comes_is_sent_once_more(
    session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    brand = make_brand(session)
    endpoint, _ = make_endpoint(session, brand, receiver.url())
    emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-1")
    session.commit()
    run_jobs(factory)
    message_id = receiver.requests[0].headers["webhook-id"]

    for _ in range(2):
        messages.replay(session, brand_admin(brand), endpoint.id, message_id=message_id)
    session.commit()
    run_jobs(factory)

    assert [r.headers["webhook-id"] for r in receiver.requests] == [message_id, message_id]
    [sent] = deliveries_of(session, endpoint)
    assert (sent.status, sent.attempt_count) == (DeliveryStatus.SUCCEEDED, 2)
