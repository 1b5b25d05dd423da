import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import EmailStr, Field

from gigcx.brands.enums import Channel, Complexity, RoutingPolicy, TimeBand
from gigcx.kit.schemas import (
    CurrencyCode,
    LanguageCode,
    Level,
    Money,
    Omittable,
    Schema,
    Share,
    Slug,
    TimeZoneName,
)


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


Amount = Money


class RateIn(Schema):
    category_key: str = Field(max_length=64)
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
Name = Annotated[str, Field(min_length=1, max_length=120)]


class ProgramRules(Schema):
    """The settable parts of a program; every field is optional on update (never null, except
    the in-house cost and the hourly floor, where null clears them)."""

    name: Omittable[Name] = None
    description: Omittable[Annotated[str, Field(max_length=5000)]] = None
    languages: Omittable[Annotated[list[LanguageCode], Field(min_length=1)]] = None
    channels: Omittable[Annotated[list[Channel], Field(min_length=1)]] = None
    categories: Omittable[Annotated[list[CategoryIn], Field(min_length=1)]] = None
    rates: Omittable[list[RateIn]] = None
    is_open: Omittable[bool] = None
    offer_ttl_seconds: Omittable[Seconds] = None
    first_response_seconds: Omittable[Seconds] = None
    resolution_seconds: Omittable[Seconds] = None
    max_offers: Omittable[Annotated[int, Field(ge=1, le=50)]] = None
    max_wait_seconds: Omittable[Seconds] = None
    offers_at_once: Omittable[Annotated[int, Field(ge=1, le=5)]] = None
    # Each interval a queued ticket waits counts as one priority step (queue aging).
    aging_seconds: Omittable[Seconds] = None
    auto_resolve_after_seconds: Omittable[Seconds] = None
    auto_close_after_seconds: Omittable[Seconds] = None
    routing_weights: Omittable[RoutingWeights] = None
    routing_policy: Omittable[RoutingPolicy] = None
    inhouse_cost_per_contact: Amount | None = None
    timezone: Omittable[TimeZoneName] = None
    onboarding_fee: Omittable[Amount] = None
    review_fee: Omittable[Amount] = None
    escalation_share: Omittable[Share] = None
    hourly_floor: Amount | None = None


class ProgramCreate(ProgramRules):
    name: str = Field(min_length=1, max_length=120)
    slug: Slug
    currency: Omittable[CurrencyCode] = None
    languages: list[LanguageCode] = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)
    categories: list[CategoryIn] = Field(min_length=1)
    rates: list[RateIn] = Field(default_factory=list)


class ProgramUpdate(ProgramRules):
    pass


class ProgramMarketRead(Schema):
    """A program as experts see it: its work, pay and rules, not the brand's internal costs."""

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
    routing_policy: RoutingPolicy
    timezone: str
    onboarding_fee: Decimal
    review_fee: Decimal
    escalation_share: Decimal
    created_at: datetime


class ProgramRead(ProgramMarketRead):
    """A program as its brand sees it, with the in-house cost per contact and the hourly floor."""

    inhouse_cost_per_contact: Decimal | None
    hourly_floor: Decimal | None
