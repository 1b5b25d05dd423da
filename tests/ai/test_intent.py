import pytest

from gigcx.ai import evaluation, intent
from gigcx.ai.intent import Prediction
from gigcx.demo import ai_content

TEXTS = [text for texts in ai_content.EXAMPLES.values() for text in texts]
LABELS = [label for label, texts in ai_content.EXAMPLES.items() for _ in texts]


def test_a_model_learns_a_programs_categories_from_few_examples() -> None:
    model, report = intent.train(TEXTS, LABELS, use_embeddings=False, version="t-1")

    predictions = model.predict(
        ["where is my parcel, tracking has not moved", "the zipper broke, is it under warranty?"]
    )

    assert [p.label for p in predictions] == ["order-status", "warranty-repairs"]
    assert report.examples == 48
    assert report.classes == sorted(ai_content.EXAMPLES)
    assert all(0 < p.confidence <= 1 for p in predictions)


def test_a_saved_model_loads_and_predicts_the_same() -> None:
    model, _ = intent.train(TEXTS, LABELS, use_embeddings=False, version="t-2")
    texts = ["I want my money back for the boots", "which tent is lighter?"]

    loaded = intent.IntentModel.from_bytes(model.to_bytes())

    assert loaded.version == "t-2"
    assert loaded.labels == model.labels
    assert loaded.predict(texts) == model.predict(texts)


def test_classes_with_one_example_are_left_out() -> None:
    model, report = intent.train(
        [*TEXTS, "a lonely example"], [*LABELS, "lonely"], use_embeddings=False
    )

    assert report.skipped_classes == {"lonely": 1}
    assert "lonely" not in model.labels


def test_too_few_examples_means_no_model() -> None:
    with pytest.raises(intent.TooFewExamples, match="routing keeps to the brand's own rules"):
        intent.train(["one", "two", "three"], ["a", "a", "b"], use_embeddings=False)


def test_evaluation_reports_accuracy_macro_f1_and_the_bots_curve() -> None:
    predictions = [
        Prediction("a", 0.95),
        Prediction("a", 0.60),
        Prediction("b", 0.90),
        Prediction("b", 0.40),
    ]
    truth = ["a", "b", "b", "b"]

    result = evaluation.evaluate(predictions, truth, thresholds=(0.5, 0.8))

    assert result.accuracy == 0.75
    assert [(c.label, c.precision, c.recall, c.support) for c in result.classes] == [
        ("a", 0.5, 1.0, 1),
        ("b", 1.0, 2 / 3, 3),
    ]
    assert result.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2)
    assert [(p.threshold, p.precision, p.coverage, p.answered) for p in result.curve] == [
        (0.5, 2 / 3, 0.75, 3),
        (0.8, 1.0, 0.5, 2),
    ]
    assert result.at(0.9).answered == 2


def test_with_sentence_embeddings_the_model_generalises_past_shared_words() -> None:
    model, _ = intent.train(TEXTS, LABELS, use_embeddings=True)

    predictions = model.predict(["My parka's stitching came apart, can you fix it for free?"])

    assert [p.label for p in predictions] == ["warranty-repairs"]


def test_unlabelled_texts_teach_words_no_labelled_example_has() -> None:
    texts = ["I want a refund for my order", "refund my money", "where is my parcel", "track it"]
    labels = ["refunds", "refunds", "shipping", "shipping"]
    unlabelled = [
        "refund please, the kettle arrived broken",
        "the kettle is broken, I want my money back, refund",
        "my parcel tracking is stuck",
    ]
    query = ["kettle broken"]

    alone, alone_report = intent.train(texts, labels, use_embeddings=False)
    helped, report = intent.train(texts, labels, unlabelled=unlabelled, use_embeddings=False)

    assert alone.predict(query)[0].label == "shipping"
    assert alone_report.pseudo_labelled == 0
    assert (report.unlabelled, report.pseudo_labelled) == (3, 3)
    assert helped.predict(query)[0].label == "refunds"
    assert helped.predict(query)[0].confidence > 0.5


def test_with_many_labels_per_class_unlabelled_texts_are_not_used() -> None:
    many = intent.MANY_SHOT_FROM
    texts = [f"refund number {i}" for i in range(many)] + [
        f"parcel number {i}" for i in range(many)
    ]
    labels = ["refunds"] * many + ["shipping"] * many

    _, report = intent.train(texts, labels, unlabelled=["kettle broken"], use_embeddings=False)

    assert (report.unlabelled, report.pseudo_labelled) == (0, 0)


def test_self_training_keeps_at_most_a_few_per_labelled_example_of_a_class() -> None:
    texts = ["I want a refund", "refund my money", "where is my parcel", "track my parcel"]
    labels = ["refunds", "refunds", "shipping", "shipping"]
    unlabelled = [f"refund for order {i}" for i in range(40)]

    _, report = intent.train(texts, labels, unlabelled=unlabelled, use_embeddings=False)

    assert report.pseudo_labelled == intent.PSEUDO_PER_EXAMPLE * 2


def test_texts_of_no_category_are_scored_as_refusals_not_misses() -> None:
    predictions = [
        Prediction("a", 0.95),
        Prediction("b", 0.90),
        Prediction("a", 0.90),  # no category, answered: a wrong answer
        Prediction("b", 0.40),  # no category, below the bot's threshold: refused there
        Prediction("a", 0.20),  # no category, below the cut too
    ]
    truth: list[str | None] = ["a", "b", None, None, None]

    result = evaluation.evaluate(predictions, truth, thresholds=(0.8,))

    assert (result.examples, result.no_category, result.accuracy, result.macro_f1) == (
        2,
        3,
        1.0,
        1.0,
    )
    bot = result.curve[0]
    assert (bot.precision, bot.coverage, bot.answered, bot.refusal_recall) == (2 / 3, 1.0, 3, 2 / 3)
    assert result.at(0.35).refusal_recall == 1 / 3
    assert evaluation.evaluate(predictions[:2], truth[:2]).at(0.8).refusal_recall is None


class Recorded:
    def __init__(self) -> None:
        self.stages: list[tuple[str, int | None]] = []
        self.done = 0

    def start(self, stage: str, total: int | None = None) -> None:
        self.stages.append((stage, total))

    def advance(self, done: int) -> None:
        self.done += done


def test_training_reports_each_stage_it_goes_through() -> None:
    texts = ["I want a refund", "refund my money", "where is my parcel", "track my parcel"]
    labels = ["refunds", "refunds", "shipping", "shipping"]
    unlabelled = ["refund for the kettle please", "my parcel is late"]
    progress = Recorded()

    _, report = intent.train(
        texts,
        labels,
        unlabelled=unlabelled,
        label_names={"refunds": "refunds", "shipping": "shipping"},
        progress=progress,
    )

    assert progress.stages == [
        (intent.STAGE_EMBEDDING, 8),  # 4 examples, 2 category names, 2 unlabelled texts
        (intent.STAGE_FITTING, None),
        (intent.STAGE_SELF_TRAINING, None),
    ]
    assert progress.done == 8
    assert report.unlabelled == 2


def test_self_training_settings_can_be_tried_on_one_first_fit() -> None:
    texts = ["I want a refund", "refund my money", "where is my parcel", "track my parcel"]
    labels = ["refunds", "refunds", "shipping", "shipping"]
    unlabelled = [f"refund for order {i}" for i in range(40)]
    first = intent.fit_first(texts, labels, unlabelled=unlabelled, use_embeddings=False)

    _, few = intent.self_train(first, intent.SelfTraining(per_example=2))
    _, more = intent.self_train(first, intent.SelfTraining(per_example=8))
    _, whole = intent.train(texts, labels, unlabelled=unlabelled, use_embeddings=False)

    assert (few.pseudo_labelled, more.pseudo_labelled) == (4, 16)
    assert whole.pseudo_labelled == intent.PSEUDO_PER_EXAMPLE * 2
    assert first.report.pseudo_labelled == 0
