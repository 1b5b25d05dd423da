"""Send one message to one endpoint, record the attempt, and plan the next one.

Runs in a job (see tasks.py): the job takes the delivery's id and the number of the send it
was queued for, so a job left over from before a replay does nothing. The schedule is the
Standard Webhooks one, each wait varied by up to a tenth either way so that receivers that
fail together are not retried together.
"""

import json
import random
import ssl
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import certifi
import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.channels.webhooks import guard, service, signing
from gigcx.channels.webhooks.enums import AttemptOutcome, DeliveryStatus, EndpointStatus
from gigcx.channels.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
    WebhookSecret,
)
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock

SEND_JOB = "channels.webhooks.send"
TIMEOUT_SECONDS = 15.0
# Waits before attempt 1, 2, ... 10: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h,
# 20 h, 24 h (about 75 hours in all). After the tenth failure the delivery has failed.
SCHEDULE: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
JITTER = 0.10
# A receiver's Retry-After is honoured up to this long.
RETRY_AFTER_CAP = timedelta(hours=24)
# An endpoint whose every attempt failed for this long is disabled.
FAILING_LIMIT = timedelta(days=5)
THROTTLE_STATUSES = frozenset({429, 502, 503, 504})
SNIPPET_BYTES = 1024
USER_AGENT = "GigCX-Webhooks/1"

# Where the jitter comes from; tests put a seeded random.Random here.
jitter_source: random.Random = random.SystemRandom()


def retry_wait(step: int) -> timedelta:
    """The wait before attempt ``step`` (0-based) with its jitter."""
    base = SCHEDULE[step]
    return base * (1 + jitter_source.uniform(-JITTER, JITTER))


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Read a Retry-After header (seconds or an HTTP date), capped; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    wait: timedelta
    if value.isdigit():
        wait = timedelta(seconds=min(int(value[:9]), int(RETRY_AFTER_CAP.total_seconds())))
    else:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            return None
        wait = moment - now
    return min(max(wait, timedelta(0)), RETRY_AFTER_CAP)


def body_of(message: WebhookMessage) -> bytes:
    """The exact bytes POSTed (and signed) for a message, the same at every attempt.

    The stored JSON may come back with its keys in another order (PostgreSQL's JSONB), so the
    order is set here: type, timestamp, data, and the data's keys sorted.
    """
    payload = message.payload
    ordered = {
        "type": payload["type"],
        "timestamp": payload["timestamp"],
        "data": json.loads(json.dumps(payload["data"], sort_keys=True)),
    }
    return json.dumps(ordered, separators=(",", ":"), ensure_ascii=False).encode()


def secrets_in_use(session: Session, endpoint_id: uuid.UUID, now: datetime) -> list[str]:
    """The endpoint's secrets that sign now: the current one first, then any still overlapping."""
    rows = session.scalars(
        select(WebhookSecret)
        .where(WebhookSecret.endpoint_id == endpoint_id)
        .order_by(WebhookSecret.created_at.desc(), WebhookSecret.id)
    ).all()
    return [row.secret for row in rows if row.expires_at is None or row.expires_at > now]


@dataclass
class Response:
    status_code: int | None = None
    snippet: str = ""
    retry_after: str | None = None
    location: str | None = None
    error: str | None = None
    duration_ms: int = 0


def _clean(text: str) -> str:
    # PostgreSQL text cannot hold NUL.
    return text.replace("\x00", "\ufffd")


def tls_context() -> ssl.SSLContext:
    """Certificates are checked against the system's authorities (which ``SSL_CERT_FILE``
    may name) and Mozilla's (certifi), so a company CA added to the system works too."""
    context = ssl.create_default_context()
    context.load_verify_locations(certifi.where())
    return context


def post(target: guard.Target, headers: dict[str, str], body: bytes) -> Response:
    """POST to the checked address; never follow a redirect; read at most 1 kB of the answer."""
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    started = time.monotonic()
    result = Response()
    try:
        with (
            httpx.Client(
                timeout=TIMEOUT_SECONDS,
                follow_redirects=False,
                trust_env=False,
                verify=tls_context() if target.scheme == "https" else False,
            ) as client,
            client.stream(
                "POST",
                target.connect_url,
                content=body,
                headers={**headers, "Host": target.host_header},
                extensions=extensions,
            ) as answer,
        ):
            result.status_code = answer.status_code
            result.retry_after = answer.headers.get("retry-after")
            result.location = answer.headers.get("location")
            read = b""
            for chunk in answer.iter_bytes():
                read += chunk
                if len(read) >= SNIPPET_BYTES:
                    break
            result.snippet = _clean(read[:SNIPPET_BYTES].decode("utf-8", errors="replace"))
    except httpx.TimeoutException:
        result.error = f"no answer within {TIMEOUT_SECONDS:g} seconds"
    except httpx.HTTPError as error:
        result.error = _clean(f"{type(error).__name__}: {error}")[:SNIPPET_BYTES]
    result.duration_ms = int((time.monotonic() - started) * 1000)
    return result


def _outcome(response: Response) -> AttemptOutcome:
    code = response.status_code
    if code is None:
        return AttemptOutcome.FAILED
    if 200 <= code < 300:
        return AttemptOutcome.SUCCEEDED
    if code == 410:
        return AttemptOutcome.GONE
    if code in THROTTLE_STATUSES:
        return AttemptOutcome.THROTTLED
    return AttemptOutcome.FAILED


def _error_of(response: Response) -> str | None:
    code = response.status_code
    if response.error is not None:
        return response.error
    if code is not None and 300 <= code < 400:
        where = f" to {response.location}" if response.location else ""
        return _clean(f"redirect{where} not followed: a webhook receiver must answer 2xx")[:1000]
    if code is not None and not 200 <= code < 300:
        return f"the receiver answered {code}"
    return None


def deliver(session: Session, delivery_id: uuid.UUID, token: int) -> None:
    """Make the attempt a send job was queued for; plan the next one or finish."""
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return
    if delivery.job_token != token:
        return
    endpoint = session.get_one(WebhookEndpoint, delivery.endpoint_id)
    now = clock.now()
    if endpoint.status != EndpointStatus.ACTIVE:
        delivery.status = DeliveryStatus.CANCELED
        delivery.next_attempt_at = None
        delivery.finished_at = now
        session.flush()
        return
    message = session.get_one(WebhookMessage, delivery.message_id)
    body = body_of(message)
    delivery.attempt_count += 1
    attempt = WebhookAttempt(
        delivery_id=delivery.id, n=delivery.attempt_count, attempted_at=now, response_snippet=""
    )
    try:
        target = guard.check(endpoint.url)
    except guard.Refused as refused:
        attempt.outcome = AttemptOutcome.REFUSED
        attempt.error = refused.reason
        response = None
    else:
        timestamp = int(now.timestamp())
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": message.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signing.signature_header(
                secrets_in_use(session, endpoint.id, now),
                message_id=message.id,
                timestamp=timestamp,
                body=body,
            ),
        }
        response = post(target, headers, body)
        attempt.outcome = _outcome(response)
        attempt.status_code = response.status_code
        attempt.response_snippet = response.snippet
        attempt.duration_ms = response.duration_ms
        attempt.error = _error_of(response)
        delivery.last_status_code = response.status_code
    done = clock.now()
    if attempt.outcome == AttemptOutcome.SUCCEEDED:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.next_attempt_at = None
        delivery.finished_at = done
        endpoint.failing_since = None
    elif attempt.outcome == AttemptOutcome.GONE:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        delivery.finished_at = done
        service.disable_for_gone(session, endpoint)
    else:
        if endpoint.failing_since is None:
            endpoint.failing_since = now
        if now - endpoint.failing_since >= FAILING_LIMIT:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            delivery.finished_at = done
            service.disable_for_failing(session, endpoint)
        elif delivery.step + 1 >= len(SCHEDULE):
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            delivery.finished_at = done
        else:
            delivery.step += 1
            # The schedule counts from the start of this attempt, a Retry-After from its answer.
            next_at = now + retry_wait(delivery.step)
            asked = retry_after(response.retry_after if response else None, done)
            if asked is not None and done + asked > next_at:
                next_at = done + asked
            attempt.next_attempt_at = next_at
            queue_send(session, delivery, run_at=next_at)
    session.add(attempt)
    session.flush()


def queue_send(session: Session, delivery: WebhookDelivery, *, run_at: datetime) -> None:
    """Queue the next send of a delivery; any send queued before it will do nothing."""
    delivery.job_token += 1
    delivery.next_attempt_at = run_at
    jobs_service.enqueue(
        session,
        SEND_JOB,
        {"delivery_id": str(delivery.id), "token": delivery.job_token},
        run_at=run_at,
    )
