"""How good an intent model is: accuracy, macro-F1, per class, and the bot's precision curve."""

from collections.abc import Sequence
from dataclasses import dataclass

from gigcx.ai.intent import Prediction

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98)


@dataclass(frozen=True)
class ClassScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class CurvePoint:
    threshold: float
    precision: float  # share of answered inquiries whose intent was right
    coverage: float  # share of inquiries the bot would answer
    answered: int


@dataclass(frozen=True)
class Evaluation:
    examples: int
    accuracy: float
    macro_f1: float
    classes: list[ClassScore]
    curve: list[CurvePoint]

    def at(self, threshold: float) -> CurvePoint:
        return curve_point(self._predictions, self._truth, threshold)

    _predictions: Sequence[Prediction] = ()
    _truth: Sequence[str] = ()


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def curve_point(
    predictions: Sequence[Prediction], truth: Sequence[str], threshold: float
) -> CurvePoint:
    """The bot's precision and coverage when it answers at ``threshold`` or above."""
    answered = [
        p.label == t for p, t in zip(predictions, truth, strict=True) if p.confidence >= threshold
    ]
    return CurvePoint(
        threshold=threshold,
        precision=_ratio(sum(answered), len(answered)),
        coverage=_ratio(len(answered), len(truth)),
        answered=len(answered),
    )


def evaluate(
    predictions: Sequence[Prediction],
    truth: Sequence[str],
    *,
    thresholds: Sequence[float] = THRESHOLDS,
) -> Evaluation:
    """Score predictions against the true labels."""
    labels = sorted(set(truth) | {p.label for p in predictions})
    classes = []
    for label in labels:
        true_positive = sum(
            1 for p, t in zip(predictions, truth, strict=True) if p.label == label and t == label
        )
        predicted = sum(1 for p in predictions if p.label == label)
        support = sum(1 for t in truth if t == label)
        precision = _ratio(true_positive, predicted)
        recall = _ratio(true_positive, support)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if support:
            classes.append(ClassScore(label, precision, recall, f1, support))
    correct = sum(1 for p, t in zip(predictions, truth, strict=True) if p.label == t)
    return Evaluation(
        examples=len(truth),
        accuracy=_ratio(correct, len(truth)),
        macro_f1=sum(c.f1 for c in classes) / len(classes) if classes else 0.0,
        classes=classes,
        curve=[curve_point(predictions, truth, t) for t in thresholds],
        _predictions=tuple(predictions),
        _truth=tuple(truth),
    )
