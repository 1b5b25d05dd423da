"""Answers written before answers had a language get one, and the bot keeps its answer."""

from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from gigcx.assist.enums import AnswerStatus
from gigcx.assist.models import Answer
from gigcx.db import migrate
from gigcx.db.session import make_engine
from gigcx.kit import clock
from tests.factories.brands import make_brand, make_program


def test_the_migration_reads_each_answers_language_and_keeps_the_newest_for_the_bot(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'answers.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(engine)
    with factory() as session:
        program = make_program(session, make_brand(session), languages=("en", "es"))
        texts = {
            "old english": "Orders ship within two business days with a tracking link by email.",
            "new english": "Your parcel leaves our warehouse within two days; track it online.",
            "spanish": "Los pedidos salen en dos días laborables con un enlace de seguimiento.",
        }
        for n, (title, body) in enumerate(texts.items()):
            session.add(
                Answer(
                    brand_id=program.brand_id,
                    program_id=program.id,
                    intent="billing",
                    language="en",
                    title=title,
                    body=body,
                    status=AnswerStatus.APPROVED,
                    reviewed_at=clock.now().replace(microsecond=n),
                )
            )
        session.commit()
    engine.dispose()
    config = migrate.alembic_config(url)

    command.downgrade(config, "0010-1")
    command.upgrade(config, "head")

    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.execute(
            text("SELECT title, language, is_bot_answer FROM answers ORDER BY title")
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("new english", "en", 1),
        ("old english", "en", 0),
        ("spanish", "es", 1),
    ]
