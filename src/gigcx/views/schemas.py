"""Schemas of what only one kind of viewer is shown."""

import uuid
from datetime import datetime

from pydantic import Field

from gigcx.kit.schemas import Schema
from gigcx.quality.enums import RatingReason
from gigcx.tickets.enums import AuthorKind, InquiryStatus, TicketStatus
from gigcx.tickets.schemas import OfferRead, PayQuoteRead, TicketDetail


class ExpertOfferRead(OfferRead):
    """An offer as its expert sees it: the ticket's gist (masked) and what the task pays."""

    subject: str
    gist: str
    category: str
    language: str
    complexity: str
    pay: PayQuoteRead | None


class CustomerMessageRead(Schema):
    """A message of the conversation as the customer reads it (never an internal note)."""

    id: uuid.UUID
    author_kind: AuthorKind
    author: str = Field(description="who wrote it, in the customer's words and language")
    body: str
    created_at: datetime


class CustomerRatingRead(Schema):
    can_rate: bool = Field(description="the ticket is solved and not rated yet")
    score: int | None
    reason: RatingReason | None = Field(description="null when the customer gave none")


class CustomerTicketRead(Schema):
    """What the customer sees of their ticket on their private page, in its language."""

    ticket_id: uuid.UUID
    link: str = Field(description="the customer's private page (absolute URL)")
    language: str = Field(description="the language the customer's pages are written in")
    subject: str
    status: TicketStatus
    status_text: str = Field(description="the status in words a customer understands")
    can_reply: bool
    is_bot_answer_pending: bool
    messages: list[CustomerMessageRead]
    rating: CustomerRatingRead


class TicketIntakeRead(TicketDetail):
    """The ticket taken in, with the private link to hand to its customer."""

    customer_link: str = Field(
        description="the customer's private page to follow and answer the ticket (absolute URL)"
    )


class InquiryRead(Schema):
    """An inquiry taken in without waiting: a job runner makes its ticket, with the same id,
    and offers it to an expert right after."""

    id: uuid.UUID = Field(description="the ticket's id once it is made (GET /api/v1/tickets/{id})")
    program_id: uuid.UUID
    status: InquiryStatus
    status_text: str = Field(description="where it stands, in words")
    ticket_id: uuid.UUID | None = Field(description="the ticket it became, once taken in")
    problem: str | None = Field(description="why it was rejected: what to change and send again")
    created_at: datetime
    customer_link: str = Field(
        description="the customer's private page (absolute URL); it shows the conversation as "
        "soon as the ticket is made"
    )
