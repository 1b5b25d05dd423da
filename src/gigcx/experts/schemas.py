import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import EmailStr, Field

from gigcx.brands.enums import Channel
from gigcx.experts.enums import EnrollmentStatus, PausedBy, Presence, Tier
from gigcx.kit.schemas import CountryCode, LanguageCode, Level, Schema, Slug, TimeZoneName

Capacity = Annotated[int, Field(ge=0, le=20)]


class ExpertProfile(Schema):
    display_name: str | None = Field(None, min_length=1, max_length=120)
    country: CountryCode | None = None
    timezone: TimeZoneName | None = None
    languages: dict[LanguageCode, Level] | None = Field(None, min_length=1)
    skills: dict[Slug, Level] | None = None
    capacity: dict[Channel, Capacity] | None = None
    payout_details: str | None = Field(None, max_length=500)


class ExpertCreate(ExpertProfile):
    """Sign-up asks a name, an email and a password; the rest of the profile may follow later.

    Without a country the profile is incomplete (applying says so); the time zone defaults
    to UTC and capacity to two chat tickets at once.
    """

    email: EmailStr
    password: str = Field(min_length=8, max_length=200)
    display_name: str = Field(min_length=1, max_length=120)
    languages: dict[LanguageCode, Level] = Field(default_factory=dict)
    skills: dict[Slug, Level] = Field(default_factory=dict)
    capacity: dict[Channel, Capacity] = Field(default_factory=lambda: {Channel.CHAT: 2})


class ExpertUpdate(ExpertProfile):
    pass


class SignUpRead(Schema):
    detail: str


class ExpertRead(Schema):
    id: uuid.UUID
    display_name: str
    country: str
    timezone: str
    presence: Presence
    languages: dict[str, int]
    skills: dict[str, int]
    capacity: dict[str, int]
    created_at: datetime


class PresenceUpdate(Schema):
    presence: Presence


class EnrollmentRead(Schema):
    id: uuid.UUID
    expert_id: uuid.UUID
    program_id: uuid.UUID
    status: EnrollmentStatus
    status_changed_at: datetime
    paused_by: PausedBy | None = None
    rating_count: int
    rating_sum: int
    certified_until: datetime | None
    quality_score: Decimal | None
    tier: Tier
    created_at: datetime


class EnrollmentUpdate(Schema):
    status: EnrollmentStatus
    # Required when brand staff pause or remove: shown to the expert as written.
    reason: str = Field("", max_length=2000)


class EnrollmentDecisionRead(Schema):
    id: uuid.UUID
    enrollment_id: uuid.UUID
    expert_id: uuid.UUID
    program_id: uuid.UUID
    from_status: EnrollmentStatus
    to_status: EnrollmentStatus
    decided_by_name: str
    reason: str
    created_at: datetime


class AvailabilityBlock(Schema):
    """Hours on one weekday, in the expert's own time zone: start included, end excluded."""

    weekday: int = Field(ge=0, le=6, description="0 is Monday, 6 is Sunday")
    start_hour: int = Field(ge=0, le=23)
    end_hour: int = Field(ge=1, le=24)


class AvailabilityUpdate(Schema):
    blocks: list[AvailabilityBlock] = Field(max_length=7 * 24)


class AvailabilityRead(Schema):
    timezone: str
    blocks: list[AvailabilityBlock]
