"""How the customer feels: a score from -1 (angry) to 1 (happy) and a label."""

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # VADER reads its lexicon on first use, not when a server process starts.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

MODEL_VERSION = "vader-3.3"
LANGUAGES = frozenset({"en"})
NEGATIVE_BELOW = -0.05
POSITIVE_ABOVE = 0.05
STRONGLY_NEGATIVE_BELOW = -0.6


@dataclass(frozen=True)
class Sentiment:
    score: float | None
    label: str  # positive, neutral, negative or unknown


@functools.cache
def _analyzer() -> "SentimentIntensityAnalyzer":
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def label_for(score: float) -> str:
    if score <= NEGATIVE_BELOW:
        return "negative"
    if score >= POSITIVE_ABOVE:
        return "positive"
    return "neutral"


def is_available(language: str) -> bool:
    """Whether there is a sentiment model for the ISO 639-1 ``language``."""
    return language.lower() in LANGUAGES


def unavailable_note(language: str) -> str:
    return f"no sentiment model for {language}: sentiment and tone are not read"


def analyse(text: str, language: str) -> Sentiment:
    """Score a text; "unknown" where there is no model for its language."""
    if language not in LANGUAGES or not text.strip():
        return Sentiment(score=None, label="unknown")
    score = round(float(_analyzer().polarity_scores(text)["compound"]), 4)
    return Sentiment(score=score, label=label_for(score))
