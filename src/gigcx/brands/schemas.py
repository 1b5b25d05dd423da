import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, EmailStr, Field

from gigcx.brands.enums import Channel, Complexity, TimeBand
from gigcx.kit.schemas import CurrencyCode, LanguageCode, Level, Schema, Slug


class BrandCreate(Schema):
    name: str = Field(min_length=1, max_length=120)
    slug: Slug
    currency: CurrencyCode = "USD"
    admin_email: EmailStr
    admin_password: str = Field(min_length=8, max_length=200)


class BrandRead(Schema):
    id: uuid.UUID
    name: str
    slug: str
    currency: str
    created_at: datetime


class CategoryIn(Schema):
    key: Slug
    name: str = Field(min_length=1, max_length=120)
    is_gig_eligible: bool = True
    required_skill_level: Level = 1


class CategoryRead(CategoryIn):
    pass


Amount = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


Share = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4)]


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not a time zone; use an IANA name such as 'Europe/Berlin' or 'UTC'"
        ) from None
    return value


TimeZoneName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_timezone)]


class RateIn(Schema):
    category_key: str
    complexity: Complexity
    language: LanguageCode | None = None
    time_band: TimeBand | None = None
    amount: Amount


class RateRead(RateIn):
    pass


class RoutingWeights(Schema):
    skill: float = Field(0.25, ge=0, le=1)
    language: float = Field(0.15, ge=0, le=1)
    quality: float = Field(0.30, ge=0, le=1)
    idle: float = Field(0.20, ge=0, le=1)
    load: float = Field(0.10, ge=0, le=1)


Seconds = Annotated[int, Field(ge=10, le=90 * 24 * 3600)]


class ProgramRules(Schema):
    """The settable parts of a program; every field is optional on update."""

    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=5000)
    languages: list[LanguageCode] | None = Field(None, min_length=1)
    channels: list[Channel] | None = Field(None, min_length=1)
    categories: list[CategoryIn] | None = Field(None, min_length=1)
    rates: list[RateIn] | None = None
    is_open: bool | None = None
    offer_ttl_seconds: Seconds | None = None
    first_response_seconds: Seconds | None = None
    resolution_seconds: Seconds | None = None
    max_offers: int | None = Field(None, ge=1, le=50)
    max_wait_seconds: Seconds | None = None
    offers_at_once: int | None = Field(None, ge=1, le=5)
    # Each interval a queued ticket waits counts as one priority step (queue aging).
    aging_seconds: Seconds | None = None
    auto_resolve_after_seconds: Seconds | None = None
    auto_close_after_seconds: Seconds | None = None
    routing_weights: RoutingWeights | None = None
    inhouse_cost_per_contact: Amount | None = None
    timezone: TimeZoneName | None = None
    onboarding_fee: Amount | None = None
    review_fee: Amount | None = None
    escalation_share: Share | None = None
    hourly_floor: Amount | None = None


class ProgramCreate(ProgramRules):
    name: str = Field(min_length=1, max_length=120)
    slug: Slug
    currency: CurrencyCode | None = None
    languages: list[LanguageCode] = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)
    categories: list[CategoryIn] = Field(min_length=1)
    rates: list[RateIn] = Field(default_factory=list)


class ProgramUpdate(ProgramRules):
    pass


class ProgramRead(Schema):
    id: uuid.UUID
    brand_id: uuid.UUID
    name: str
    slug: str
    description: str
    currency: str
    languages: list[str]
    channels: list[str]
    categories: list[CategoryRead]
    rates: list[RateRead]
    is_open: bool
    offer_ttl_seconds: int
    first_response_seconds: int
    resolution_seconds: int
    max_offers: int
    max_wait_seconds: int
    offers_at_once: int
    aging_seconds: int
    auto_resolve_after_seconds: int
    auto_close_after_seconds: int
    routing_weights: RoutingWeights
    inhouse_cost_per_contact: Decimal | None
    timezone: str
    onboarding_fee: Decimal
    review_fee: Decimal
    escalation_share: Decimal
    hourly_floor: Decimal | None
    created_at: datetime
