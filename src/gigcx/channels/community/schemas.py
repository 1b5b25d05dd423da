import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from gigcx.channels.community.enums import DigestFrequency, FeedbackKind, FeedbackStatus
from gigcx.kit.text import NUL_FREE_PATTERN

TITLE_LIMIT = 200
BODY_LIMIT = 5000

Title = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=TITLE_LIMIT, pattern=NUL_FREE_PATTERN
    ),
]
Body = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=BODY_LIMIT, pattern=NUL_FREE_PATTERN
    ),
]


class AlertSettingsRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    is_browser_on: bool
    is_sound_on: bool
    is_email_on: bool
    digest: DigestFrequency


class AlertSettingsUpdate(BaseModel):
    is_browser_on: bool | None = None
    is_sound_on: bool | None = None
    is_email_on: bool | None = None
    digest: DigestFrequency | None = None


class AnnouncementCreate(BaseModel):
    title: Title
    body: Body
    is_emailed: bool = Field(False, description="also mail it to the program's active experts")


class AnnouncementUpdate(BaseModel):
    title: Title | None = None
    body: Body | None = None
    is_retired: bool | None = Field(None, description="true hides it from experts")


class AnnouncementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    program_id: uuid.UUID
    title: str
    body: str
    is_emailed: bool
    emailed_count: int
    created_at: datetime
    updated_at: datetime | None
    retired_at: datetime | None


class ExpertAnnouncementRead(BaseModel):
    id: uuid.UUID
    program_id: uuid.UUID
    program_name: str
    brand_name: str
    title: str
    body: str
    created_at: datetime
    is_read: bool


class FeedbackCreate(BaseModel):
    kind: FeedbackKind
    body: Body
    program_id: uuid.UUID | None = Field(None, description="feedback on a program")
    ticket_id: uuid.UUID | None = Field(None, description="feedback on a ticket you worked")
    answer_id: uuid.UUID | None = Field(None, description="the approved answer it is about")


class FeedbackAnswer(BaseModel):
    reply: Body
    is_closing: bool = Field(False, description="close the feedback with this answer")


class FeedbackRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    program_id: uuid.UUID
    ticket_id: uuid.UUID | None
    answer_id: uuid.UUID | None
    kind: FeedbackKind
    body: str
    status: FeedbackStatus
    reply: str
    replied_at: datetime | None
    closed_at: datetime | None
    created_at: datetime


class MissedOffer(BaseModel):
    program: str
    topic: str
    language: str
    amount: Decimal | None
    currency: str | None
    expired_at: datetime
