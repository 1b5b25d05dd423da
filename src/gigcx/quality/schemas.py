import uuid
from datetime import datetime

from pydantic import Field

from gigcx.kit.schemas import Schema
from gigcx.quality.enums import RatingReason


class RatingCreate(Schema):
    score: int = Field(ge=1, le=5)
    reason: RatingReason
    comment: str = Field("", max_length=2000)


class RatingRead(Schema):
    id: uuid.UUID
    ticket_id: uuid.UUID
    expert_id: uuid.UUID | None
    score: int
    reason: RatingReason
    comment: str
    created_at: datetime
