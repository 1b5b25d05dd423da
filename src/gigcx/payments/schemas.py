import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from gigcx.kit.schemas import PositiveMoney, Schema, decimal_from_float
from gigcx.payments.enums import EarningKind, PayoutMethodKind, PayoutTrigger, TaxForm, TinType


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


class TaxProfileUpdate(Schema):
    """A W-9 (``form`` w9: US persons) or W-8BEN (``form`` w8ben: non-US individuals).

    W-9 needs ``tax_classification``, a US address (``region`` is the state, ``postal_code``
    the ZIP) and ``tin_type`` ssn or ein with ``tax_id``. W-8BEN needs
    ``citizenship_country``, the permanent residence address outside the US, ``date_of_birth``
    (YYYY-MM-DD) and the foreign ``tax_id``; ``treaty_country`` and ``treaty_article`` are
    optional. Both are signed by typing the legal name in ``signature_name`` and setting
    ``certify``. Leave ``tax_id`` empty to keep the stored one.
    """

    form: str = Field(examples=["w9", "w8ben"], max_length=8)
    legal_name: str = Field("", max_length=200)
    business_name: str = Field("", max_length=200)
    tax_classification: str = Field("", max_length=32, examples=["individual"])
    citizenship_country: str = Field("", max_length=2, examples=["PT"])
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    country: str = Field("", max_length=2, examples=["US"])
    tin_type: str = Field("", max_length=8, examples=["ssn", "ein"])
    tax_id: str = Field("", max_length=40)
    date_of_birth: str = Field("", max_length=10, examples=["1990-04-27"])
    treaty_country: str = Field("", max_length=2)
    treaty_article: str = Field("", max_length=100)
    signature_name: str = Field("", max_length=200)
    certify: bool = False


class TaxProfileRead(Schema):
    """An expert's tax profile; the tax id shows its last four characters only."""

    form: TaxForm
    form_name: str
    legal_name: str
    business_name: str
    tax_classification: str
    citizenship_country: str
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    tin_type: TinType
    tin_last4: str
    tin_masked: str
    date_of_birth: date | None
    treaty_country: str
    treaty_article: str
    signature_name: str
    certified_at: datetime
    updated_at: datetime


class TaxReportLineRead(Schema):
    expert_id: uuid.UUID
    expert_name: str
    payer_slug: str
    payer_name: str
    currency: str
    total: Decimal
    payouts: int
    form: TaxForm | None
    legal_name: str
    tin_masked: str
    is_missing_profile: bool
    needs_1099: bool


class TaxReportRead(Schema):
    year: int
    currency: str
    threshold: Decimal
    threshold_source: str
    lines: list[TaxReportLineRead]
    missing_profiles: int
    other_currencies: dict[str, Decimal]
