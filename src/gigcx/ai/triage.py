"""Triage of one inquiry: language, sentiment, PII, intent, and from them priority and complexity.

Pure: the caller hands in the program's languages, its intent model (or none) and the customer's
history, and stores the result.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from gigcx.ai import embeddings, language, sentiment
from gigcx.ai.intent import IntentModel, Prediction
from gigcx.privacy import pii

# Below this confidence an inquiry fits none of the program's categories: it is marked
# unrecognised, goes to an expert, and the bot never answers it.
RECOGNISE_AT = 0.35
URGENT = 1
HIGH = 2
NORMAL = 3
LOW = 4
_URGENT_WORDS = re.compile(
    r"\b(urgent|urgently|asap|immediately|emergency|fraud|fraudulent|stolen|hacked|scam|"
    r"unauthori[sz]ed|lawyer|legal action|chargeback|dringend|sofort|betrug|urgente)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CustomerHistory:
    """What the customer wrote before: tickets in the last 30 days and still open ones."""

    recent_tickets: int = 0
    open_tickets: int = 0


@dataclass(frozen=True)
class TriageResult:
    language: str
    sentiment: sentiment.Sentiment
    pii: list[pii.Span]
    intent: str | None
    intent_confidence: float | None
    is_intent_recognised: bool
    priority: int
    complexity: str
    model_version: str
    notes: list[str] = field(default_factory=list)


def priority_for(
    text: str, mood: sentiment.Sentiment, history: CustomerHistory, *, is_recognised: bool
) -> int:
    """Lower is more urgent: urgent words, strong anger and a customer writing again raise it."""
    priority = NORMAL
    if _URGENT_WORDS.search(text):
        priority -= 1
    if mood.score is not None and mood.score <= sentiment.STRONGLY_NEGATIVE_BELOW:
        priority -= 1
    if history.open_tickets >= 1 or history.recent_tickets >= 3:
        priority -= 1
    if priority == NORMAL and is_recognised and mood.label == "positive":
        priority = LOW
    return max(URGENT, min(LOW, priority))


def complexity_for(
    text: str,
    mood: sentiment.Sentiment,
    confidence: float | None,
    *,
    is_recognised: bool,
    has_model: bool = True,
) -> str:
    """Short, clearly classified questions are low; long, many-part, unclear or angry ones high."""
    words = len(text.split())
    questions = text.count("?")
    points = 0
    if words > 120 or questions >= 3:
        points += 2
    elif words > 50 or questions == 2:
        points += 1
    if has_model and not is_recognised:
        points += 1
    elif confidence is not None and confidence >= 0.8 and words <= 40:
        points -= 1
    if mood.score is not None and mood.score <= sentiment.STRONGLY_NEGATIVE_BELOW:
        points += 1
    if points <= -1:
        return "low"
    if points >= 2:
        return "high"
    return "medium"


def model_version(intent_model: IntentModel | None) -> str:
    parts = [language.MODEL_VERSION, sentiment.MODEL_VERSION, pii.MODEL_VERSION]
    if intent_model is not None:
        parts.append(f"intent:{intent_model.version or 'unversioned'}")
        if intent_model.use_embeddings:
            parts.append(embeddings.MODEL_NAME)
    return "+".join(parts)


def triage_many(
    texts: Sequence[str],
    *,
    languages: Sequence[str],
    intent_model: IntentModel | None,
    histories: Sequence[CustomerHistory] | None = None,
    known_names: Sequence[Sequence[str]] | None = None,
    recognise_at: float = RECOGNISE_AT,
) -> list[TriageResult]:
    """Triage several inquiries at once (one batch through the embedding model)."""
    predictions: list[Prediction | None] = [None] * len(texts)
    if intent_model is not None and texts:
        predictions = list(intent_model.predict(list(texts)))
    version = model_version(intent_model)
    results = []
    for index, text in enumerate(texts):
        history = histories[index] if histories else CustomerHistory()
        names = known_names[index] if known_names else ()
        code = language.detect(text, languages)
        mood = sentiment.analyse(text, code)
        prediction = predictions[index]
        notes = []
        if code != language.UNKNOWN and not sentiment.is_available(code):
            notes.append(sentiment.unavailable_note(code))
        intent: str | None = None
        confidence: float | None = None
        is_recognised = False
        if prediction is None:
            notes.append("no intent model for this program: routed by the brand's own rules")
        else:
            confidence = prediction.confidence
            is_recognised = confidence >= recognise_at
            if is_recognised:
                intent = prediction.label
            else:
                notes.append(
                    f"fits no category (best guess {prediction.label} at {confidence:.2f})"
                )
        results.append(
            TriageResult(
                language=code,
                sentiment=mood,
                pii=pii.find(text, known_names=names),
                intent=intent,
                intent_confidence=confidence,
                is_intent_recognised=is_recognised,
                priority=priority_for(text, mood, history, is_recognised=is_recognised),
                complexity=complexity_for(
                    text,
                    mood,
                    confidence,
                    is_recognised=is_recognised,
                    has_model=intent_model is not None,
                ),
                model_version=version,
                notes=notes,
            )
        )
    return results


def triage(
    text: str,
    *,
    languages: Sequence[str],
    intent_model: IntentModel | None,
    history: CustomerHistory | None = None,
    known_names: Sequence[str] = (),
    recognise_at: float = RECOGNISE_AT,
) -> TriageResult:
    """Triage one inquiry."""
    return triage_many(
        [text],
        languages=languages,
        intent_model=intent_model,
        histories=[history or CustomerHistory()],
        known_names=[known_names],
        recognise_at=recognise_at,
    )[0]
