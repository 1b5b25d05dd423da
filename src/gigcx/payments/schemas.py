import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from gigcx.kit.schemas import PositiveMoney, Schema, decimal_from_float
from gigcx.payments.enums import EarningKind, PayoutMethodKind, PayoutTrigger


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


AverageCsat = Annotated[
    Decimal,
    decimal_from_float(2),
    Field(ge=1, le=5, max_digits=3, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 1, "maximum": 5, "multipleOf": 0.01},
                {"type": "string", "pattern": r"^([1-4](\.\d{1,2})?|5(\.0{1,2})?)$"},
            ]
        }
    ),
]
AverageQa = Annotated[
    Decimal,
    decimal_from_float(2),
    Field(ge=0, le=100, max_digits=5, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 100, "multipleOf": 0.01},
                {"type": "string", "pattern": r"^(\d{1,2}(\.\d{1,2})?|100(\.0{1,2})?)$"},
            ]
        }
    ),
]


class BonusRuleCreate(Schema):
    name: str = Field(min_length=1, max_length=120)
    min_tasks: int = Field(1, ge=1, le=10_000)
    min_csat: AverageCsat | None = None
    min_qa: AverageQa | None = None
    amount: PositiveMoney


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


# An ISO 8601 week (YYYY-Www) between 2000 and 2099.
WEEK_PATTERN = r"^20[0-9]{2}-W(0[1-9]|[1-4][0-9]|5[0-3])$"
Week = Annotated[str, Field(pattern=WEEK_PATTERN, examples=["2026-W48"])]


class PayoutRunCreate(Schema):
    week: Week


class PayoutRunRead(Schema):
    week: str
    payouts: int
    lines: int
    totals: dict[str, Decimal]
    carried: int
    # Experts left unpaid until they enter a payout method.
    held: int = 0
    bonuses: int


class PayoutMethodUpdate(Schema):
    """Where payouts go: ``bank_transfer`` needs ``account_holder`` and ``iban``, ``paypal``
    needs ``paypal_email``."""

    kind: PayoutMethodKind
    account_holder: str = Field("", max_length=120)
    iban: str = Field("", max_length=42, examples=["DE89 3704 0044 0532 0130 00"])
    paypal_email: str = Field("", max_length=254)


class PayoutMethodRead(Schema):
    """The expert's payout method; the IBAN shows its last four characters only."""

    kind: PayoutMethodKind
    account_holder: str
    iban_last4: str
    paypal_email: str
    summary: str
    updated_at: datetime


class PayoutLastRunRead(Schema):
    at: datetime
    week: str
    trigger: PayoutTrigger
    payouts: int
    lines: int
    totals: dict[str, Decimal]
    held: int
    carried: int


class PayoutScheduleRead(Schema):
    next_run_at: datetime | None
    next_week: str | None
    last_run: PayoutLastRunRead | None
    failed: bool
    retry_at: datetime | None


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
