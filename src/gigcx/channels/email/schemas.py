import uuid
from datetime import datetime

from pydantic import EmailStr, Field

from gigcx.channels.email.enums import InboundOutcome, InboundReason, OutboundStatus
from gigcx.kit.schemas import Schema

MIN_POLL_SECONDS = 15
MAX_POLL_SECONDS = 86_400


class MailboxIn(Schema):
    """A brand's support address: new mail to it becomes a ticket of the program."""

    address: EmailStr
    program_id: uuid.UUID
    display_name: str = Field("", max_length=120)
    smtp_url: str = Field("", max_length=500)
    imap_url: str = Field("", max_length=500)
    poll_seconds: int = Field(60, ge=MIN_POLL_SECONDS, le=MAX_POLL_SECONDS)
    is_active: bool = True


class InboundEmailRead(Schema):
    """What became of a mail that came in."""

    inbound_id: uuid.UUID = Field(description="the stored mail (kept as received)")
    outcome: InboundOutcome = Field(
        description="new_ticket, threaded (added to its ticket), duplicate (came before; "
        "nothing stored again), ignored (kept without a ticket) or refused (forged reply address)"
    )
    reason: InboundReason | None = Field(description="why it was ignored, refused or threaded")
    detail: str
    ticket_id: uuid.UUID | None
    message_id: uuid.UUID | None = Field(description="the ticket message the mail became")
    may_acknowledge: bool = Field(description="whether an automatic answer may be sent")
    refused_files: list[str] = Field(description="attached files not stored, with why")


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
