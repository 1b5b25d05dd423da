import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import EmailStr, Field

from gigcx.brands.enums import Channel, Complexity
from gigcx.kit.schemas import LanguageCode, Schema
from gigcx.tickets.enums import AuthorKind, OfferStatus, Priority, TicketStatus


class CustomerIn(Schema):
    email: EmailStr
    name: str = Field("", max_length=120)


class TicketCreate(Schema):
    program_id: uuid.UUID
    customer: CustomerIn
    channel: Channel = Channel.CHAT
    language: LanguageCode
    # Left out, the program's intent model picks it (programs without a model need it).
    category: str | None = Field(None, min_length=1, max_length=64)
    subject: str = Field("", max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    # Left out, triage sets them (normal and medium until it has run).
    priority: Priority | None = None
    complexity: Complexity | None = None


class MessageCreate(Schema):
    body: str = Field(min_length=1, max_length=20_000)
    is_internal: bool = False


class CustomerMessageCreate(Schema):
    body: str = Field(min_length=1, max_length=20_000)


class EscalationCreate(Schema):
    reason: str = Field(min_length=3, max_length=2000)


class MessageRead(Schema):
    id: uuid.UUID
    author_kind: AuthorKind
    author_id: uuid.UUID | None
    body: str
    is_internal: bool
    created_at: datetime


class CustomerRead(Schema):
    id: uuid.UUID
    name: str
    email: str | None


class PayQuoteRead(Schema):
    """What the task pays the expert, as its offer quoted it (the earning is the same amount)."""

    amount: Decimal
    currency: str
    rate: dict[str, Any] | None = Field(
        description="the rate-card line: category, complexity, language, time band, amount"
    )
    surge_multiplier: Decimal | None
    priced_at: datetime = Field(description="the offer's moment: time band and surge")
    is_paid_already: bool = Field(
        False, description="a follow-up on a ticket the expert was already paid for"
    )


class TicketRead(Schema):
    id: uuid.UUID
    brand_id: uuid.UUID
    program_id: uuid.UUID
    customer: CustomerRead
    channel: str
    language: str
    category: str
    complexity: Complexity
    priority: Priority
    subject: str
    status: TicketStatus
    assignee_id: uuid.UUID | None
    offer_count: int
    escalation_reason: str | None
    created_at: datetime
    first_response_at: datetime | None
    first_response_due_at: datetime
    resolution_due_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    first_response_breached: bool
    resolution_breached: bool
    pay: PayQuoteRead | None = Field(None, description="for experts: what the task pays them")


class TicketDetail(TicketRead):
    messages: list[MessageRead]


class OfferRead(Schema):
    id: uuid.UUID
    ticket_id: uuid.UUID
    expert_id: uuid.UUID
    status: OfferStatus
    rank: int
    score: float
    breakdown: dict[str, Any]
    expires_at: datetime
    responded_at: datetime | None
    created_at: datetime


class AuditEventRead(Schema):
    id: uuid.UUID
    actor_role: str
    actor_id: uuid.UUID | None
    action: str
    data: dict[str, Any]
    created_at: datetime
    sentence: str = Field(
        default="", description="what happened, in words, with names", examples=["Accepted by Ana"]
    )
