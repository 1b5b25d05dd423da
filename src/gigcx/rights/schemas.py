import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from gigcx.rights.enums import RequestKind, RequestStatus, SubjectKind


class PrivacyRequestCreate(BaseModel):
    """Whose data: a customer of your brand by email, or (platform admins) an expert."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(max_length=254)
    subject: Literal["customer", "expert"] = "customer"


class PrivacyRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: RequestKind
    subject_kind: SubjectKind
    subject_id: uuid.UUID
    status: RequestStatus
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    archive_size: int
    counts: dict[str, Any]
    detail: str
    download_url: str | None = None


class LegalHoldCreate(BaseModel):
    """Hold one ticket (``ticket_id``) or one customer (``customer_email``)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    ticket_id: uuid.UUID | None = None
    customer_email: EmailStr | None = Field(default=None, max_length=254)


class LegalHoldRelease(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class LegalHoldRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    ticket_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    reason: str
    created_at: datetime
    released_at: datetime | None
    release_reason: str


class RetentionPolicyPut(BaseModel):
    """Periods; leave one out (null) to keep that data for ever."""

    model_config = ConfigDict(extra="forbid")

    closed_ticket_days: int | None = Field(default=None, ge=1, le=36_500)
    raw_content_days: int | None = Field(default=None, ge=1, le=36_500)
    audit_years: int | None = Field(default=None, ge=1, le=100)
    export_keep_days: int = Field(default=7, ge=1, le=365)


class RetentionPolicyRead(RetentionPolicyPut):
    model_config = ConfigDict(from_attributes=True, extra="ignore")


class RetentionReportRead(BaseModel):
    is_dry_run: bool
    closed_ticket_days: int | None
    raw_content_days: int | None
    audit_years: int | None
    tickets: int
    customers: int
    raw_mails: int
    sent_mail_bodies: int
    attachments: int
    audit_events: int
    export_archives: int
    held_tickets: int
    wiped: dict[str, int]
