"""Job handlers of the email channel."""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.channels.email import outbound
from gigcx.jobs.registry import handler


@handler(outbound.SEND_JOB, timeout=timedelta(seconds=outbound.SMTP_TIMEOUT_SECONDS * 3))
def send_email(session: Session, payload: dict[str, Any]) -> None:
    """Send one queued mail over SMTP."""
    outbound.send_email(session, uuid.UUID(payload["email_id"]))
