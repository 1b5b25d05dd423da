"""gigcx ai train / eval against a temporary SQLite database."""

from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gigcx.assist.models import IntentModelRecord
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
