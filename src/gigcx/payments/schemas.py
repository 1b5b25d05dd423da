import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

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
    surge_id: uuid.UUID | None
    terms: dict[str, Any]
    created_at: datetime


class BalanceRead(Schema):
    currency: str
    amount: Decimal
    entries: int


class ReversalCreate(Schema):
    reason: str = Field(min_length=3, max_length=500)


class BonusRuleCreate(Schema):
    name: str = Field(min_length=1, max_length=120)
    min_tasks: int = Field(1, ge=1, le=10_000)
    min_csat: Decimal | None = Field(None, ge=1, le=5, max_digits=3, decimal_places=2)
    min_qa: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)


class BonusRuleRead(Schema):
    id: uuid.UUID
    program_id: uuid.UUID
    name: str
    min_tasks: int
    min_csat: Decimal | None
    min_qa: Decimal | None
    amount: Decimal
    is_active: bool
    created_at: datetime


class PayoutRead(Schema):
    id: uuid.UUID
    week: str
    expert_id: uuid.UUID
    brand_id: uuid.UUID
    currency: str
    cutoff: datetime
    total: Decimal
    line_count: int
    created_at: datetime


class PayoutRunCreate(Schema):
    week: str = Field(pattern=r"^\d{4}-W\d{2}$", examples=["2026-W48"])


class PayoutRunRead(Schema):
    week: str
    payouts: int
    lines: int
    totals: dict[str, Decimal]
    carried: int
    bonuses: int


class SurgeRead(Schema):
    id: uuid.UUID
    program_id: uuid.UUID
    language: str
    multiplier: Decimal
    waiting: int
    capacity: int
    announced_at: datetime
    starts_at: datetime
    ends_at: datetime


class ExpertHourlyRead(Schema):
    expert_id: uuid.UUID
    display_name: str
    earned: Decimal
    hours_worked: Decimal
    per_hour: Decimal | None


class ProgramHourlyRead(Schema):
    program_id: uuid.UUID
    currency: str
    floor: Decimal | None
    median: Decimal | None
    is_below_floor: bool
    experts: list[ExpertHourlyRead]
