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


class BotSkip(StrEnum):
    """Why the bot left a ticket to an expert."""

    DISABLED = "disabled"
    UNRECOGNISED = "unrecognised"  # the inquiry fits none of the program's categories
    BELOW_THRESHOLD = "below_threshold"
    TOPIC_DISPUTED = "topic_disputed"  # the customer chose another topic than the model reads
    LANGUAGE_UNKNOWN = "language_unknown"  # too short or unclear to tell the language
    LANGUAGE_MISMATCH = "language_mismatch"  # written in another language than the stated one
    NO_ANSWER = "no_answer"  # no approved answer in use for the intent and language
    ANSWER_LANGUAGE = "answer_language"  # the answer's text reads as another language


class BotUse(StrEnum):
    """What approving an answer does to the bot's answer for its intent and language."""

    REPLACE = "replace"  # the bot sends this one from now on; the current one stays a suggestion
    SUGGESTION = "suggestion"  # a suggestion for experts only; the bot keeps its answer


class IntentSource(StrEnum):
    MODEL = "model"  # the program's trained intent model
    RULES = "rules"  # no model: the category the intake gave, routed by the brand's own rules


class Check(StrEnum):
    PII_LEAK = "pii_leak"
    FORBIDDEN_PHRASE = "forbidden_phrase"
    NEGATIVE_TONE = "negative_tone"
    LANGUAGE_MISMATCH = "language_mismatch"
