import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from gigcx.assist.enums import (
    AnswerKind,
    AnswerStatus,
    BotAttemptStatus,
    BotSkip,
    BotUse,
    Check,
    IntentSource,
)
from gigcx.kit.schemas import Money, Omittable, Schema
from gigcx.privacy.pii import PiiKind


class AssistSettingsUpdate(Schema):
    """Every field is optional and never null (null clears only the royalty)."""

    is_bot_enabled: Omittable[bool] = None
    bot_threshold: Omittable[Annotated[float, Field(ge=0.0, le=1.0)]] = None
    royalty_amount: Money | None = None
    granted_pii: Omittable[list[PiiKind]] = None
    forbidden_phrases: Omittable[list[Annotated[str, Field(max_length=200)]]] = None
    blocking_checks: Omittable[list[Check]] = None
    topic_override_confidence: Omittable[Annotated[float, Field(ge=0.0, le=1.0)]] = None


class AssistSettingsRead(Schema):
    program_id: uuid.UUID
    is_bot_enabled: bool
    bot_threshold: float
    royalty_amount: Decimal | None
    granted_pii: list[str]
    forbidden_phrases: list[str]
    blocking_checks: list[str]
    topic_override_confidence: float


class PiiSpanRead(Schema):
    """Personal data triage found in the first message: where, and its text as you may see it."""

    kind: str
    start: int
    end: int
    text: str


class TriageRead(Schema):
    ticket_id: uuid.UUID
    language: str
    sentiment_score: float | None
    sentiment_label: str
    intent: str | None
    intent_confidence: float | None
    is_intent_recognised: bool
    intent_source: IntentSource
    priority: int
    complexity: str
    pii: list[PiiSpanRead]
    model_version: str
    notes: list[str]
    chosen_category: str | None
    is_topic_disputed: bool
    bot_skip_reason: BotSkip | None
    created_at: datetime


class AnswerCreate(Schema):
    program_id: uuid.UUID
    kind: AnswerKind = AnswerKind.ANSWER
    intent: str | None = Field(None, max_length=64)
    language: str | None = Field(
        None,
        max_length=8,
        description="one of the program's languages; left out, it is read from the text",
    )
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    bot_use: BotUse | None = Field(
        None,
        description="when the bot already has an answer for this intent and language: "
        "'replace' it, or add this one as a 'suggestion' for experts only",
    )


class BestAnswerProposal(Schema):
    title: str = Field("", max_length=200)
    body: str | None = Field(None, min_length=1, max_length=20_000)


class AnswerReview(Schema):
    decision: AnswerStatus
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=20_000)
    intent: str | None = Field(None, max_length=64)
    language: str | None = Field(None, max_length=8)
    note: str = Field("", max_length=2000)
    bot_use: BotUse | None = Field(
        None,
        description="when the bot already has an answer for this intent and language: "
        "'replace' it, or approve this one as a 'suggestion' for experts only",
    )


class AnswerRead(Schema):
    id: uuid.UUID
    program_id: uuid.UUID
    kind: AnswerKind
    intent: str | None
    language: str
    title: str
    body: str
    status: AnswerStatus
    is_bot_answer: bool
    author_expert_id: uuid.UUID | None
    source_ticket_id: uuid.UUID | None
    removals: list[dict[str, str]]
    reviewed_at: datetime | None
    review_note: str
    created_at: datetime


class SuggestionRead(Schema):
    answer_id: uuid.UUID
    rank: int
    title: str
    body: str
    source: str
    score: float


class SuggestionInsert(Schema):
    answer_id: uuid.UUID
    rank: int = Field(1, ge=1, le=10)


class ReplyCheck(Schema):
    body: str = Field(min_length=1, max_length=20_000)


class FindingRead(Schema):
    check: str
    message: str
    is_blocking: bool
    is_notice: bool = Field(
        False, description="information only, such as a check that could not run; never blocks"
    )


class BotAttemptRead(Schema):
    ticket_id: uuid.UUID
    answer_id: uuid.UUID
    intent: str
    confidence: float
    body: str
    status: BotAttemptStatus
    created_at: datetime
    ended_at: datetime | None


class DraftRead(Schema):
    body: str
    model: str
