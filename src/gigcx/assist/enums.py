from enum import StrEnum


class AnswerStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class AnswerKind(StrEnum):
    ANSWER = "answer"
    ARTICLE = "article"


class BotAttemptStatus(StrEnum):
    PENDING = "pending"  # answered; the ticket is resolved pending the customer's confirmation
    CONFIRMED = "confirmed"
    REJECTED = "rejected"  # "this didn't help" or a follow-up: an expert takes over


class IntentSource(StrEnum):
    MODEL = "model"  # the program's trained intent model
    RULES = "rules"  # no model: the category the intake gave, routed by the brand's own rules


class Check(StrEnum):
    PII_LEAK = "pii_leak"
    FORBIDDEN_PHRASE = "forbidden_phrase"
    NEGATIVE_TONE = "negative_tone"
    LANGUAGE_MISMATCH = "language_mismatch"
