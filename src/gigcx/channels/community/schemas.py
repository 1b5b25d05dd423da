import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from gigcx.channels.community.enums import DigestFrequency, FeedbackKind, FeedbackStatus
from gigcx.kit.schemas import Omittable, Schema

TITLE_LIMIT = 200
BODY_LIMIT = 5000
# What counts as a space in a blank text; the JSON Schema's pattern names the same characters,
# so that the schema and the server agree on what is blank.
SPACES = (
    "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_SPACE_CLASS = "".join(f"\\u{ord(c):04x}" for c in SPACES)
# Text with at least one character that is not a space, and no NUL character.
WORDS_PATTERN = f"^[^\\u0000]*[^\\u0000{_SPACE_CLASS}][^\\u0000]*$"


def _words(value: str) -> str:
    trimmed = value.strip(SPACES)
    if not trimmed:
        raise ValueError("write some words, not only spaces")
    return trimmed


Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TITLE_LIMIT),
    AfterValidator(_words),
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": TITLE_LIMIT, "pattern": WORDS_PATTERN}
    ),
]
Body = Annotated[
    str,
    StringConstraints(min_length=1, max_length=BODY_LIMIT),
    AfterValidator(_words),
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": BODY_LIMIT, "pattern": WORDS_PATTERN}
    ),
]


class AlertSettingsRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    is_browser_on: bool
    is_sound_on: bool
    is_email_on: bool
    digest: DigestFrequency


class AlertSettingsUpdate(Schema):
    is_browser_on: Omittable[bool] = None
    is_sound_on: Omittable[bool] = None
    is_email_on: Omittable[bool] = None
    digest: Omittable[DigestFrequency] = None


class AnnouncementCreate(Schema):
    title: Title
    body: Body
    is_emailed: bool = Field(False, description="also mail it to the program's active experts")


class AnnouncementUpdate(Schema):
    title: Omittable[Title] = None
    body: Omittable[Body] = None
    is_retired: Omittable[bool] = Field(None, description="true hides it from experts")


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


class FeedbackCreate(Schema):
    kind: FeedbackKind
    body: Body
    program_id: uuid.UUID | None = Field(None, description="feedback on a program")
    ticket_id: uuid.UUID | None = Field(None, description="feedback on a ticket you worked")
    answer_id: uuid.UUID | None = Field(None, description="the approved answer it is about")


class FeedbackAnswer(Schema):
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
