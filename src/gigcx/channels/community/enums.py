from enum import StrEnum


class DigestFrequency(StrEnum):
    """How often an expert hears of the offers they missed (off unless they opt in)."""

    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"


class FeedbackKind(StrEnum):
    ANSWER_OUT_OF_DATE = "answer_out_of_date"
    CUSTOMERS_KEEP_ASKING = "customers_keep_asking"
    GUIDELINE_UNCLEAR = "guideline_unclear"
    OTHER = "other"

    @property
    def label(self) -> str:
        return FEEDBACK_KIND_LABELS[self]


FEEDBACK_KIND_LABELS = {
    FeedbackKind.ANSWER_OUT_OF_DATE: "This answer is out of date",
    FeedbackKind.CUSTOMERS_KEEP_ASKING: "Customers keep asking about this",
    FeedbackKind.GUIDELINE_UNCLEAR: "A guideline is unclear",
    FeedbackKind.OTHER: "Something else",
}


class FeedbackStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"
