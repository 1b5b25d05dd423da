import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from gigcx.assist.enums import AnswerKind, AnswerStatus, BotAttemptStatus, BotSkip, IntentSource
from gigcx.brands.enums import Complexity
from gigcx.db import notify
from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.privacy.redaction import redact_cards_on_set

DEFAULT_BOT_THRESHOLD = 0.8
# The model replaces a topic the customer chose only when it is at least this sure.
DEFAULT_TOPIC_OVERRIDE_CONFIDENCE = 0.9


class AssistSettings(IdMixin, CreatedMixin, Base):
    """A program's AI rules: the bot's threshold, royalties, PII grants and reply checks."""

    __tablename__ = "assist_settings"

    program_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), unique=True
    )
    is_bot_enabled: Mapped[bool] = mapped_column(default=True)
    bot_threshold: Mapped[float] = mapped_column(default=DEFAULT_BOT_THRESHOLD)
    royalty_amount: Mapped[Decimal | None]
    # PII kinds experts may see unmasked in this program ("email", "phone", ...).
    granted_pii: Mapped[list[Any]] = mapped_column(default=list)
    forbidden_phrases: Mapped[list[Any]] = mapped_column(default=list)
    # Pre-send checks that block a reply instead of only warning.
    blocking_checks: Mapped[list[Any]] = mapped_column(default=list)
    topic_override_confidence: Mapped[float] = mapped_column(
        default=DEFAULT_TOPIC_OVERRIDE_CONFIDENCE
    )


class IntentModelRecord(IdMixin, CreatedMixin, Base):
    """A trained intent model of a program; the newest is the one in use."""

    __tablename__ = "intent_models"

    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(64))
    labels: Mapped[list[Any]] = mapped_column(default=list)
    examples: Mapped[int] = mapped_column(default=0)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    data: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_intent_models_program", "program_id", "created_at"),)


class Triage(IdMixin, CreatedMixin, Base):
    """What the AI derived from a ticket's first message, with the model versions used."""

    __tablename__ = "triages"

    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    language: Mapped[str] = mapped_column(String(16))
    sentiment_score: Mapped[float | None]
    sentiment_label: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(64))
    intent_confidence: Mapped[float | None]
    is_intent_recognised: Mapped[bool] = mapped_column(default=False)
    intent_source: Mapped[IntentSource] = mapped_column(String(16))
    priority: Mapped[int]
    complexity: Mapped[Complexity] = mapped_column(String(16))
    pii: Mapped[list[Any]] = mapped_column(default=list)
    model_version: Mapped[str] = mapped_column(String(200))
    notes: Mapped[list[Any]] = mapped_column(default=list)
    # The topic the customer picked themselves (None when the model picked it at intake).
    chosen_category: Mapped[str | None] = mapped_column(String(64))
    # The model read another topic than the customer chose, not surely enough to replace it.
    is_topic_disputed: Mapped[bool] = mapped_column(default=False)
    # Why the bot left the ticket to an expert (None when it answered or was not asked).
    bot_skip_reason: Mapped[BotSkip | None] = mapped_column(String(32))


class Answer(IdMixin, CreatedMixin, Base):
    """A standard answer or knowledge article of a program, with its author and review state."""

    __tablename__ = "answers"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    kind: Mapped[AnswerKind] = mapped_column(String(16), default=AnswerKind.ANSWER)
    intent: Mapped[str | None] = mapped_column(String(64))
    # The language the answer is written in, one of the program's; the bot never sends an
    # answer to a customer writing in another.
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[AnswerStatus] = mapped_column(String(16), default=AnswerStatus.PROPOSED)
    # The one approved answer the bot sends for its intent and language; the others are
    # suggestions for experts only.
    is_bot_answer: Mapped[bool] = mapped_column(default=False)
    author_expert_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("experts.id"))
    source_ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tickets.id"))
    # Personal data taken out of a proposed reply: kind, placeholder and a masked original.
    removals: Mapped[list[Any]] = mapped_column(default=list)
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_answers_program_status", "program_id", "status"),
        # One proposal per reply: an expert proposes a ticket's reply once.
        UniqueConstraint("source_ticket_id", "author_expert_id"),
        # At most one answer in use by the bot per program, intent and language.
        Index(
            "uq_answers_bot_slot",
            "program_id",
            "intent",
            "language",
            unique=True,
            sqlite_where=text("is_bot_answer"),
            postgresql_where=text("is_bot_answer"),
        ),
    )


class BotAttempt(IdMixin, CreatedMixin, Base):
    """The bot's reply to a ticket and what the customer made of it."""

    __tablename__ = "bot_attempts"

    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    answer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("answers.id"))
    intent: Mapped[str] = mapped_column(String(64))
    confidence: Mapped[float]
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[BotAttemptStatus] = mapped_column(String(16), default=BotAttemptStatus.PENDING)
    ended_at: Mapped[datetime | None]


class SuggestionUse(IdMixin, CreatedMixin, Base):
    """A suggestion an expert inserted, and how much of it survived into the sent reply."""

    __tablename__ = "suggestion_uses"

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"))
    answer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("answers.id"))
    rank: Mapped[int] = mapped_column(default=1)
    is_sent: Mapped[bool] = mapped_column(default=False)
    # 0 when sent as suggested, 1 when nothing of it is left.
    edit_ratio: Mapped[float | None]

    __table_args__ = (UniqueConstraint("ticket_id", "expert_id", "answer_id"),)


redact_cards_on_set(Answer.title, Answer.body, BotAttempt.body)


def _botattempt_topics(row: BotAttempt, _session: Session) -> list[str]:
    return [notify.ticket_topic(row.ticket_id)]


notify.watch(BotAttempt, _botattempt_topics)
