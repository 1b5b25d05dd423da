import uuid
from datetime import datetime

from pydantic import Field

from gigcx.channels.email.enums import OutboundStatus
from gigcx.kit.schemas import Schema


class TicketEmailRead(Schema):
    """A mail GigCX sent (or tried to send) to a ticket's customer, for the brand's staff."""

    id: uuid.UUID
    kind: str = Field(description="acknowledgement, reply or rating_request")
    to: str
    from_address: str
    subject: str
    status: OutboundStatus
    status_text: str = Field(description="the status and any error in plain words")
    error: str | None = Field(description="the mail server's last answer when a send failed")
    attempts: int
    message_id: str
    in_reply_to: str | None
    created_at: datetime
    sent_at: datetime | None
