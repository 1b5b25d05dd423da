"""How good an intent model is: accuracy, macro-F1, per class, and the bot's precision curve.

A text whose true label is ``None`` belongs to no category (an out-of-scope inquiry, labelled
``oos`` or left empty in a held-out set). It cannot be classified right, only refused: it counts
in neither accuracy nor macro-F1, a bot that answers it answers wrong (precision), and the share
of such texts left below a threshold is the refusal recall at that threshold.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from gigcx.ai.intent import Prediction

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98)
Truth = str | None  # None: the text belongs to no category


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
    coverage: float  # share of inquiries with a category that the bot would answer
    answered: int  # all inquiries answered, also those of no category
    refusal_recall: float | None = None  # share of no-category inquiries left unanswered


@dataclass(frozen=True)
class Evaluation:
    examples: int  # texts with a category
    accuracy: float
    macro_f1: float
    classes: list[ClassScore]
    curve: list[CurvePoint]
    no_category: int = 0  # texts that belong to no category

    def at(self, threshold: float) -> CurvePoint:
        return curve_point(self._predictions, self._truth, threshold)

    _predictions: Sequence[Prediction] = ()
    _truth: Sequence[Truth] = ()


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def curve_point(
    predictions: Sequence[Prediction], truth: Sequence[Truth], threshold: float
) -> CurvePoint:
    """The bot's precision and coverage when it answers at ``threshold`` or above, and how many
    of the texts of no category it refuses there."""
    pairs = list(zip(predictions, truth, strict=True))
    answered = [p.label == t for p, t in pairs if p.confidence >= threshold]
    in_scope = [p for p, t in pairs if t is not None]
    out_of_scope = [p for p, t in pairs if t is None]
    return CurvePoint(
        threshold=threshold,
        precision=_ratio(sum(answered), len(answered)),
        coverage=_ratio(sum(1 for p in in_scope if p.confidence >= threshold), len(in_scope)),
        answered=len(answered),
        refusal_recall=(
            _ratio(sum(1 for p in out_of_scope if p.confidence < threshold), len(out_of_scope))
            if out_of_scope
            else None
        ),
    )


def evaluate(
    predictions: Sequence[Prediction],
    truth: Sequence[Truth],
    *,
    thresholds: Sequence[float] = THRESHOLDS,
) -> Evaluation:
    """Score predictions against the true labels (None for a text of no category)."""
    scored = [(p, t) for p, t in zip(predictions, truth, strict=True) if t is not None]
    labels = sorted({t for _, t in scored} | {p.label for p, _ in scored})
    classes = []
    for label in labels:
        true_positive = sum(1 for p, t in scored if p.label == label and t == label)
        predicted = sum(1 for p, _ in scored if p.label == label)
        support = sum(1 for _, t in scored if t == label)
        precision = _ratio(true_positive, predicted)
        recall = _ratio(true_positive, support)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if support:
            classes.append(ClassScore(label, precision, recall, f1, support))
    correct = sum(1 for p, t in scored if p.label == t)
    return Evaluation(
        examples=len(scored),
        accuracy=_ratio(correct, len(scored)),
        macro_f1=sum(c.f1 for c in classes) / len(classes) if classes else 0.0,
        classes=classes,
        curve=[curve_point(predictions, truth, t) for t in thresholds],
        no_category=len(truth) - len(scored),
        _predictions=tuple(predictions),
        _truth=tuple(truth),
    )
