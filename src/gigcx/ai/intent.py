"""Intent classification: a program's categories learned from its own labelled examples.

Features are the frozen MiniLM sentence embedding next to TF-IDF word 1-2-grams and character
2-5-grams, in one linear model (logistic regression) whose probabilities are the confidence.

Where labels are few, unlabelled texts of the same program (its other tickets) help twice: the
n-gram vocabulary and weights are learned from them too, and one round of self-training adds the
ones the first model labels with some confidence, at a lower weight and at most a few per
labelled example of their class (bench/README.md has the figures).
"""

import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from gigcx.ai import embeddings

if TYPE_CHECKING:
    # scikit-learn and scipy load on first use, not when a server process starts.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

FORMAT_VERSION = 1
# With fewer labelled examples than this in a class, the class is left out; with fewer than two
# classes left, there is no model and routing keeps to the brand's own rules.
MIN_EXAMPLES_PER_CLASS = 2
MIN_CLASSES = 2
DEFAULT_C = 20.0
# How much the sentence embedding counts next to the n-grams. With few examples per class the
# n-grams are sparse and the embedding must lead; with many, the n-grams earn an equal say
# (measured on Banking77: 86.0% vs 84.0% at 10 per class, 93.7% vs 94.2% on the full set).
FEW_SHOT_EMBEDDING_WEIGHT = 2.0
MANY_SHOT_EMBEDDING_WEIGHT = 1.0
MANY_SHOT_FROM = 40  # examples per class, on average
# Self-training (below MANY_SHOT_FROM only). Chosen by bench/banking77.py on a validation split
# of Banking77's train.csv (10 per class, the rest unlabelled; never on test.csv), among
# confidence 0.3/0.5, 4/8/16 per labelled example and weight 0.3/1: 84.98% vs 83.08% without.
PSEUDO_MIN_CONFIDENCE = 0.3
PSEUDO_PER_EXAMPLE = 16
PSEUDO_WEIGHT = 0.3
MAX_UNLABELLED = 20_000
STAGE_EMBEDDING = "embedding"
STAGE_FITTING = "fitting"
STAGE_SELF_TRAINING = "self-training"

Matrix = Any  # a scipy sparse matrix (scipy ships no types)
Vectors = npt.NDArray[np.float32]


class TooFewExamples(ValueError):
    """The examples do not support a model."""


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float


@dataclass
class TrainingReport:
    examples: int
    classes: list[str]
    skipped_classes: dict[str, int] = field(default_factory=dict)
    unlabelled: int = 0  # unlabelled texts offered
    pseudo_labelled: int = 0  # of them, added by self-training


def _word_vectorizer(vocabulary: dict[str, int] | None = None) -> "TfidfVectorizer":
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, lowercase=True, vocabulary=vocabulary
    )


def _char_vectorizer(
    vocabulary: dict[str, int] | None = None, min_df: int = 1
) -> "TfidfVectorizer":
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        sublinear_tf=True,
        lowercase=True,
        min_df=min_df,
        vocabulary=vocabulary,
    )


class IntentModel:
    """A trained intent classifier; ``version`` names it on every triage it makes."""

    def __init__(
        self,
        *,
        word: "TfidfVectorizer",
        char: "TfidfVectorizer",
        coef: npt.NDArray[np.float64],
        intercept: npt.NDArray[np.float64],
        labels: list[str],
        use_embeddings: bool,
        version: str = "",
        embedding_weight: float = FEW_SHOT_EMBEDDING_WEIGHT,
    ) -> None:
        self.word = word
        self.char = char
        self.coef = coef
        self.intercept = intercept
        self.labels = labels
        self.use_embeddings = use_embeddings
        self.version = version
        self.embedding_weight = embedding_weight

    def features(self, texts: Sequence[str], vectors: Vectors | None = None) -> Matrix:
        from scipy import sparse

        parts = [self.word.transform(texts), self.char.transform(texts)]
        if self.use_embeddings:
            if vectors is None:
                vectors = embeddings.encode(list(texts))
            parts.insert(0, sparse.csr_matrix(vectors * self.embedding_weight))
        return sparse.hstack(parts).tocsr()

    def probabilities(
        self, texts: Sequence[str], vectors: Vectors | None = None
    ) -> npt.NDArray[np.float64]:
        scores = self.features(texts, vectors) @ self.coef.T + self.intercept
        scores = np.asarray(scores, dtype=np.float64)
        if len(self.labels) == 2 and scores.shape[1] == 1:
            scores = np.hstack([-scores, scores])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def predict(self, texts: Sequence[str], vectors: Vectors | None = None) -> list[Prediction]:
        if not texts:
            return []
        probabilities = self.probabilities(texts, vectors)
        best = probabilities.argmax(axis=1)
        return [
            Prediction(self.labels[int(i)], round(float(probabilities[row, i]), 4))
            for row, i in enumerate(best)
        ]

    def to_bytes(self) -> bytes:
        """Serialise without pickle: arrays and JSON in one compressed npz."""
        meta = {
            "format": FORMAT_VERSION,
            "labels": self.labels,
            "use_embeddings": self.use_embeddings,
            "version": self.version,
            "embedding_weight": self.embedding_weight,
            "word_vocabulary": {k: int(v) for k, v in self.word.vocabulary_.items()},
            "char_vocabulary": {k: int(v) for k, v in self.char.vocabulary_.items()},
        }
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            word_idf=self.word.idf_,
            char_idf=self.char.idf_,
            coef=self.coef,
            intercept=self.intercept,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "IntentModel":
        arrays = np.load(io.BytesIO(data), allow_pickle=False)
        meta: dict[str, Any] = json.loads(arrays["meta"].tobytes().decode())
        if meta["format"] != FORMAT_VERSION:
            raise ValueError(f"intent model format {meta['format']} is not supported")
        word = _word_vectorizer(meta["word_vocabulary"])
        word.fit(["x"])  # builds the analyser; vocabulary and weights are set below
        word.idf_ = arrays["word_idf"]
        char = _char_vectorizer(meta["char_vocabulary"])
        char.fit(["x"])
        char.idf_ = arrays["char_idf"]
        return cls(
            word=word,
            char=char,
            coef=arrays["coef"],
            intercept=arrays["intercept"],
            labels=list(meta["labels"]),
            use_embeddings=bool(meta["use_embeddings"]),
            version=str(meta["version"]),
            embedding_weight=float(meta["embedding_weight"]),
        )


def usable_examples(labels: Sequence[str]) -> tuple[list[int], TrainingReport]:
    """Keep the classes with enough examples; raise when fewer than two classes remain."""
    counts = Counter(labels)
    keep = {label for label, n in counts.items() if n >= MIN_EXAMPLES_PER_CLASS}
    kept = [i for i, label in enumerate(labels) if label in keep]
    report = TrainingReport(
        examples=len(kept),
        classes=sorted(keep),
        skipped_classes={label: n for label, n in counts.items() if label not in keep},
    )
    if len(keep) < MIN_CLASSES:
        raise TooFewExamples(
            f"{len(keep)} categor{'y has' if len(keep) == 1 else 'ies have'} at least "
            f"{MIN_EXAMPLES_PER_CLASS} labelled examples; an intent model needs "
            f"{MIN_CLASSES} or more, so routing keeps to the brand's own rules"
        )
    return kept, report


class Progress(Protocol):
    """Told what training does, so a command can show it: a stage starts (with the number of
    texts it works through, or None when it cannot tell), and work in it advances."""

    def start(self, stage: str, total: int | None = None) -> None: ...

    def advance(self, done: int) -> None: ...


class _Silent:
    def start(self, stage: str, total: int | None = None) -> None:
        pass

    def advance(self, done: int) -> None:
        pass


@dataclass(frozen=True)
class SelfTraining:
    """Which unlabelled texts one round of self-training adds, and at what weight."""

    min_confidence: float = PSEUDO_MIN_CONFIDENCE
    per_example: int = PSEUDO_PER_EXAMPLE
    weight: float = PSEUDO_WEIGHT


@dataclass
class FirstFit:
    """A model fitted on the labelled examples, before self-training: what ``self_train`` needs
    (kept so that several self-training settings can be tried on one first fit)."""

    model: IntentModel
    matrix: Matrix
    labels: list[str]
    classifier: Any  # the first LogisticRegression
    unlabelled_features: Matrix | None
    labelled_per_class: Counter[str]
    report: TrainingReport
    c: float


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    unlabelled: Sequence[str] = (),
    use_embeddings: bool = True,
    vectors: Vectors | None = None,
    unlabelled_vectors: Vectors | None = None,
    c: float = DEFAULT_C,
    version: str = "",
    label_names: dict[str, str] | None = None,
    self_training: SelfTraining = SelfTraining(),
    progress: Progress | None = None,
) -> tuple[IntentModel, TrainingReport]:
    """Train an intent model from labelled texts, helped by ``unlabelled`` ones when labels are
    few (``vectors`` and ``unlabelled_vectors`` are their embeddings, when already known)."""
    first = fit_first(
        texts,
        labels,
        unlabelled=unlabelled,
        use_embeddings=use_embeddings,
        vectors=vectors,
        unlabelled_vectors=unlabelled_vectors,
        c=c,
        version=version,
        label_names=label_names,
        progress=progress,
    )
    return self_train(first, self_training, progress=progress)


def fit_first(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    unlabelled: Sequence[str] = (),
    use_embeddings: bool = True,
    vectors: Vectors | None = None,
    unlabelled_vectors: Vectors | None = None,
    c: float = DEFAULT_C,
    version: str = "",
    label_names: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> FirstFit:
    """Embed, learn the n-gram vocabulary (from the unlabelled texts too) and fit on the
    labelled examples."""
    progress = progress or _Silent()
    kept, report = usable_examples(labels)
    kept_texts = [texts[i] for i in kept]
    kept_labels = [labels[i] for i in kept]
    labelled_per_class = Counter(kept_labels)
    # A category's name is one more example of it ("card arrival"); it helps most when few.
    names = [(n, label) for label, n in (label_names or {}).items() if label in report.classes]
    few = report.examples / len(report.classes) < MANY_SHOT_FROM
    unlabelled = list(unlabelled[:MAX_UNLABELLED]) if few else []
    report.unlabelled = len(unlabelled)
    if use_embeddings:
        missing = ([] if vectors is not None else kept_texts) + [n for n, _ in names]
        if unlabelled and unlabelled_vectors is None:
            missing += unlabelled
        progress.start(STAGE_EMBEDDING, len(missing))
        encoded = embeddings.encode(missing, progress=progress.advance)
        if vectors is None:
            vectors, encoded = encoded[: len(kept_texts)], encoded[len(kept_texts) :]
        else:
            vectors = vectors[kept]
        vectors = np.vstack([vectors, encoded[: len(names)]])
        if unlabelled:
            unlabelled_vectors = (
                encoded[len(names) :]
                if unlabelled_vectors is None
                else unlabelled_vectors[: len(unlabelled)]
            )
    kept_texts += [n for n, _ in names]
    kept_labels += [label for _, label in names]
    progress.start(STAGE_FITTING)
    vocabulary_texts = kept_texts + unlabelled
    word = _word_vectorizer().fit(vocabulary_texts)
    char = _char_vectorizer(min_df=2 if len(vocabulary_texts) >= 2000 else 1)
    char.fit(vocabulary_texts)
    model = IntentModel(
        word=word,
        char=char,
        coef=np.zeros(0),
        intercept=np.zeros(0),
        labels=[],
        use_embeddings=use_embeddings,
        version=version,
        embedding_weight=FEW_SHOT_EMBEDDING_WEIGHT if few else MANY_SHOT_EMBEDDING_WEIGHT,
    )
    matrix = model.features(kept_texts, vectors)
    return FirstFit(
        model=model,
        matrix=matrix,
        labels=kept_labels,
        classifier=_fit(matrix, kept_labels, np.ones(len(kept_labels)), c),
        unlabelled_features=model.features(unlabelled, unlabelled_vectors) if unlabelled else None,
        labelled_per_class=labelled_per_class,
        report=report,
        c=c,
    )


def self_train(
    first: FirstFit, settings: SelfTraining, *, progress: Progress | None = None
) -> tuple[IntentModel, TrainingReport]:
    """One round of self-training on the first fit (none without unlabelled texts); the first
    fit is left as it was."""
    classifier = first.classifier
    report = replace(first.report)
    if first.unlabelled_features is not None:
        from scipy import sparse

        (progress or _Silent()).start(STAGE_SELF_TRAINING)
        more = first.unlabelled_features
        chosen, guessed = _pseudo_labels(classifier, more, first.labelled_per_class, settings)
        report.pseudo_labelled = len(chosen)
        if chosen:
            matrix = sparse.vstack([first.matrix, more[chosen]]).tocsr()
            weights = np.concatenate(
                [np.ones(len(first.labels)), np.full(len(chosen), settings.weight)]
            )
            classifier = _fit(matrix, [*first.labels, *guessed], weights, first.c)
    base = first.model
    model = IntentModel(
        word=base.word,
        char=base.char,
        coef=np.asarray(classifier.coef_, dtype=np.float64),
        intercept=np.asarray(classifier.intercept_, dtype=np.float64),
        labels=[str(label) for label in classifier.classes_],
        use_embeddings=base.use_embeddings,
        version=base.version,
        embedding_weight=base.embedding_weight,
    )
    return model, report


def _fit(
    matrix: Matrix, labels: Sequence[str], weights: npt.NDArray[np.float64], c: float
) -> "LogisticRegression":
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(C=c, max_iter=3000)
    classifier.fit(matrix, list(labels), sample_weight=weights)
    return classifier


def _pseudo_labels(
    classifier: "LogisticRegression",
    matrix: Matrix,
    labelled_per_class: Counter[str],
    settings: SelfTraining,
) -> tuple[list[int], list[str]]:
    """The unlabelled rows the model is fairly sure of: the surest first, at most
    ``settings.per_example`` per labelled example of the class they are given."""
    probabilities = classifier.predict_proba(matrix)
    best = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    chosen: list[int] = []
    for column, label in enumerate(classifier.classes_):
        rows = np.flatnonzero((best == column) & (confidence >= settings.min_confidence))
        rows = rows[np.argsort(-confidence[rows], kind="stable")]
        chosen.extend(int(r) for r in rows[: settings.per_example * labelled_per_class[str(label)]])
    chosen.sort()
    return chosen, [str(classifier.classes_[best[r]]) for r in chosen]
