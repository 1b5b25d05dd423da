"""gigcx ai train / eval against a temporary SQLite database."""

import re
import threading
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import Result

from gigcx.ai import embeddings
from gigcx.assist import service as assist_service
from gigcx.assist.models import IntentModelRecord
from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Brand, Program
from gigcx.demo import ai_content
from tests.cli.test_cli import database, invoke
from tests.factories.assist import RETAIL_GIG, RETAIL_INHOUSE
from tests.factories.brands import make_brand, make_program


def retail_program(engine: Engine) -> str:
    with Session(engine) as session:
        program = make_program(
            session,
            make_brand(session),
            gig_categories=RETAIL_GIG,
            inhouse_categories=RETAIL_INHOUSE,
        )
        session.commit()
        return program.slug


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["text,label"] + [f'"{text}",{label}' for text, label in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def examples(start: int, stop: int) -> list[tuple[str, str]]:
    return [(t, label) for label, texts in ai_content.EXAMPLES.items() for t in texts[start:stop]]


def test_ai_train_then_eval_prints_the_scores_and_the_bots_curve(tmp_path: Path) -> None:
    with database(tmp_path / "ai.db") as engine:
        assert invoke("db", "upgrade").exit_code == 0
        slug = retail_program(engine)
        train = write_csv(tmp_path / "train.csv", examples(0, 6))
        held_out = write_csv(tmp_path / "test.csv", examples(6, 10))

        trained = invoke("ai", "train", "--program", slug, "--data", str(train))
        scored = invoke("ai", "eval", "--program", slug, "--data", str(held_out))

        assert trained.exit_code == 0, trained.output
        assert "Intent model" in trained.output and "none" in trained.output
        assert scored.exit_code == 0, scored.output
        for heading in ("accuracy", "macro-F1", "Per category", "by threshold", "bot at threshold"):
            assert heading in scored.output
        with Session(engine) as session:
            record = session.scalars(select(IntentModelRecord)).one()
            assert (record.examples, len(record.labels)) == (30, 5)


def test_ai_train_learns_from_rows_without_a_label_too(tmp_path: Path) -> None:
    with database(tmp_path / "ai.db") as engine:
        assert invoke("db", "upgrade").exit_code == 0
        slug = retail_program(engine)
        unlabelled = [(text, "") for text, _ in examples(6, 10)]
        data = write_csv(tmp_path / "train.csv", examples(0, 3) + unlabelled)

        result = invoke("ai", "train", "--program", slug, "--data", str(data))

        assert result.exit_code == 0, result.output
        assert len(unlabelled) == 18
        assert "self-trained on 17 of 18 unlabelled texts" in result.output
        with Session(engine) as session:
            record = session.scalars(select(IntentModelRecord)).one()
            assert record.examples == 15
            assert (record.metrics["unlabelled"], record.metrics["pseudo_labelled"]) == (18, 17)


def test_too_few_examples_keep_the_program_on_its_own_rules(tmp_path: Path) -> None:
    with database(tmp_path / "ai.db") as engine:
        assert invoke("db", "upgrade").exit_code == 0
        slug = retail_program(engine)
        data = write_csv(tmp_path / "few.csv", [("Where is my order?", "order-status")])

        result = invoke("ai", "train", "--program", slug, "--data", str(data))

        assert result.exit_code == 1
        assert "routing keeps to the brand's own rules" in result.output
        with Session(engine) as session:
            assert session.scalars(select(IntentModelRecord)).all() == []


def test_labels_that_are_not_categories_are_refused(tmp_path: Path) -> None:
    with database(tmp_path / "ai.db") as engine:
        assert invoke("db", "upgrade").exit_code == 0
        slug = retail_program(engine)
        data = write_csv(tmp_path / "bad.csv", [("hello there", "greeting")] * 3)

        result = invoke("ai", "train", "--program", slug, "--data", str(data))

        assert result.exit_code == 1
        assert "are not categories of program" in result.output


def test_ai_train_shows_each_stage_and_the_peak_memory(tmp_path: Path) -> None:
    with database(tmp_path / "ai.db") as engine:
        assert invoke("db", "upgrade").exit_code == 0
        slug = retail_program(engine)
        unlabelled = [(text, "") for text, _ in examples(6, 8)]
        data = write_csv(tmp_path / "train.csv", examples(0, 4) + unlabelled)

        result = invoke("ai", "train", "--program", slug, "--data", str(data))

        assert result.exit_code == 0, result.output
        # 20 examples, 5 category names and 10 unlabelled texts are embedded
        assert re.search(r"Embedding texts \(MiniLM\).*35/35", result.output)
        assert "Fitting (n-grams, logistic regression)" in result.output
        assert "Self-training on unlabelled texts" in result.output
        assert re.search(r"trained in [\d.,]+ s, peak memory [\d,]+ MB", result.output)


class PausedModel:
    """The packaged model, held in its first batch until the test lets training go on."""

    def __init__(self, model: embeddings.Model, events: list[str]) -> None:
        self.model = model
        self.events = events
        self.embedding = threading.Event()
        self.go_on = threading.Event()

    def encode(
        self, texts: Sequence[str], *, batch_size: int, progress: embeddings.Progress | None
    ) -> embeddings.Vectors:
        if not self.embedding.is_set():
            self.events.append("training: embedding")
            self.embedding.set()
            self.go_on.wait(timeout=600)
            self.events.append("training: goes on")
        return self.model.encode(texts, batch_size=batch_size, progress=progress)


def test_ai_train_holds_no_transaction_while_it_learns(tmp_path: Path) -> None:
    with database(tmp_path / "ai.db") as engine:
        assert invoke("db", "upgrade").exit_code == 0
        slug = retail_program(engine)
        data = write_csv(tmp_path / "train.csv", examples(0, 6))
        events: list[str] = []
        packaged = embeddings.model()
        paused = PausedModel(packaged, events)
        embeddings.use_model(paused)
        results: list[Result] = []
        training = threading.Thread(
            target=lambda: results.append(
                invoke("ai", "train", "--program", slug, "--data", str(data))
            )
        )
        try:
            training.start()
            assert paused.embedding.wait(timeout=600)

            # another command writes (SQLite: BEGIN IMMEDIATE, the write lock) and commits
            with Session(engine) as session, session.begin():
                brand_id = make_brand(session).id
            events.append("other command: committed")
        finally:
            paused.go_on.set()
            training.join()
            embeddings.use_model(packaged)

        assert events == ["training: embedding", "other command: committed", "training: goes on"]
        assert results[0].exit_code == 0, results[0].output
        with Session(engine) as session:
            assert session.get(Brand, brand_id) is not None
            assert len(session.scalars(select(IntentModelRecord)).all()) == 1


def test_ai_eval_scores_texts_of_no_category_as_refusals(tmp_path: Path) -> None:
    with database(tmp_path / "ai.db") as engine:
        assert invoke("db", "upgrade").exit_code == 0
        slug = retail_program(engine)
        train = write_csv(tmp_path / "train.csv", examples(0, 6))
        out_of_scope = [
            ("Can you recommend a good pizza place nearby?", "oos"),
            ("What is the capital of Australia?", "oos"),
            ("Tell me a joke about penguins", ""),
        ]
        held_out = write_csv(tmp_path / "test.csv", examples(6, 10) + out_of_scope)
        assert invoke("ai", "train", "--program", slug, "--data", str(train)).exit_code == 0

        result = invoke("ai", "eval", "--program", slug, "--data", str(held_out))

        with Session(engine) as session:
            program = session.scalars(select(Program).where(Program.slug == slug)).one()
            model, categories = assist_service.model_to_evaluate(session, SYSTEM, program.id)
        score = assist_service.evaluate_model(
            model, categories, assist_service.read_csv(held_out), threshold=0.8
        )
        assert result.exit_code == 0, result.output
        assert (score.result.examples, score.result.no_category) == (18, 3)
        assert score.no_category_labels == {"": 1, "oos": 2}
        assert "refused (no category)" in result.output
        assert (
            f"3 texts belong to no category ((empty) 1, oos 2): refused "
            f'{score.at_cut.refusal_recall:.2%} at the cut 0.35 ("fits no category"), '
            f"{score.at_threshold.refusal_recall:.2%} at the bot's threshold 0.80"
        ) in result.output
        assert f"accuracy {score.result.accuracy:.2%}" in result.output


def test_a_csv_that_is_not_utf8_is_refused_with_what_to_do(tmp_path: Path) -> None:
    with database(tmp_path / "ai.db") as engine:
        assert invoke("db", "upgrade").exit_code == 0
        slug = retail_program(engine)
        data = tmp_path / "latin1.csv"
        data.write_bytes(
            "text,label\nMein Paket ist nicht gekommen, Grüße,order-status\n".encode("latin-1")
        )

        result = invoke("ai", "train", "--program", slug, "--data", str(data))

        assert result.exit_code == 1
        assert "latin1.csv is not UTF-8 text; save the CSV as UTF-8" in result.output
        with Session(engine) as session:
            assert session.scalars(select(IntentModelRecord)).all() == []
