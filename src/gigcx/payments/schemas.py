import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import Field

from gigcx.kit.schemas import Schema
from gigcx.payments.enums import EarningKind


class EarningRead(Schema):
    id: uuid.UUID
    expert_id: uuid.UUID
    program_id: uuid.UUID
    ticket_id: uuid.UUID | None
    kind: EarningKind
    amount: Decimal
    currency: str
    description: str
    reverses_id: uuid.UUID | None
    created_at: datetime


class BalanceRead(Schema):
    currency: str
    amount: Decimal
    entries: int


class ReversalCreate(Schema):
    reason: str = Field(min_length=3, max_length=500)
