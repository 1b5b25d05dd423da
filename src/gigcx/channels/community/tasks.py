"""Offer mails on ``ticket.offered`` and the recurring digest of missed offers."""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.channels.community import service
from gigcx.channels.events import Event, subscriber
from gigcx.jobs import service as jobs_service
from gigcx.jobs.events import EventType
from gigcx.jobs.registry import handler
from gigcx.kit import clock

DIGEST_JOB = "channels.community.digest"
# The digest job looks every hour for periods that have ended; each period is done once.
DIGEST_EVERY = timedelta(hours=1)


@subscriber("community.offer_mail")
def mail_offers(session: Session, event: Event) -> None:
    """Queue a mail to each offered expert who turned new-offer emails on."""
    if event.type != EventType.TICKET_OFFERED:
        return
    offer_ids = [uuid.UUID(str(item["offer_id"])) for item in event.data.get("offers", [])]
    service.mail_new_offers(session, event.brand_id, offer_ids)


def schedule_digests(session: Session, _payload: dict[str, Any] | None = None) -> None:
    """Make sure the hourly digest run is queued (each run queues the next)."""
    jobs_service.ensure_queued(session, DIGEST_JOB, {}, run_at=clock.now() + DIGEST_EVERY)


@handler(DIGEST_JOB, timeout=timedelta(minutes=10), rearm=schedule_digests)
def send_digests(session: Session, _payload: dict[str, Any]) -> None:
    """Mail each opted-in expert the offers they missed in the last day or week, once."""
    service.send_digests(session)
