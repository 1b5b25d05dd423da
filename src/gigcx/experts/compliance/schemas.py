import uuid
from datetime import datetime

from pydantic import Field

from gigcx.experts.compliance.enums import Gate, IdentityStatus
from gigcx.kit.schemas import CountryCode, Instant, Schema


class AgreementCreate(Schema):
    """A new version of an agreement: its title and its full text in markdown."""

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=200_000)


class AgreementRead(Schema):
    id: uuid.UUID
    brand_id: uuid.UUID | None
    version: int
    title: str
    body: str
    body_sha256: str
    published_at: datetime


class AgreementAccept(Schema):
    """Accept an agreement version by typing your full name."""

    full_name: str = Field(min_length=2, max_length=200)


class AcceptanceRead(Schema):
    agreement_id: uuid.UUID
    expert_id: uuid.UUID
    expert_name: str
    full_name: str
    accepted_at: datetime
    client_address: str
    body_sha256: str


class BrandComplianceRead(Schema):
    allowed_countries: list[str]
    denied_countries: list[str]
    requires_work_authorisation: bool
    requires_identity_check: bool
    max_hours_per_week: int | None


class BrandComplianceUpdate(Schema):
    """A brand's rules for experts. An empty allowed list allows every country not denied."""

    allowed_countries: list[CountryCode] = Field(default_factory=list, max_length=250)
    denied_countries: list[CountryCode] = Field(default_factory=list, max_length=250)
    requires_work_authorisation: bool = False
    requires_identity_check: bool = False
    max_hours_per_week: int | None = Field(None, ge=1, le=168)


class WorkAuthorisationCreate(Schema):
    """Attest that you are authorised to work in your country for this brand's kind of work."""

    brand_id: uuid.UUID


class WorkAuthorisationRead(Schema):
    brand_id: uuid.UUID
    country: str
    statement: str
    attested_at: datetime


class IdentityCheckReport(Schema):
    """A provider's report of an expert's identity or background check (no documents)."""

    expert_id: uuid.UUID
    status: IdentityStatus
    provider: str = Field(min_length=1, max_length=64)
    checked_at: Instant
    reference: str = Field("", max_length=200)


class IdentityCheckRead(Schema):
    id: uuid.UUID
    expert_id: uuid.UUID
    status: IdentityStatus
    provider: str
    checked_at: datetime


class BlockRead(Schema):
    """One rule that stops offers to you, in plain words, and where to fix it."""

    gate: Gate
    brand_id: uuid.UUID | None
    message: str
    fix_url: str | None


class ProgramEligibilityRead(Schema):
    program_id: uuid.UUID
    program_name: str
    brand_name: str
    can_receive_offers: bool
    blocks: list[BlockRead]


class HoursCapRead(Schema):
    scope: str  # "platform" or the brand's name
    brand_id: uuid.UUID | None
    hours: float
    cap: int | None


class WeekHoursRead(Schema):
    """Your hours this ISO week (Monday 00:00 UTC on), from your assignments, against caps."""

    week_start: datetime
    week_end: datetime
    hours: float
    caps: list[HoursCapRead]
