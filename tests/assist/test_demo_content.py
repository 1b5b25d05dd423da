from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.assist.enums import AnswerKind, AnswerStatus
from gigcx.assist.models import Answer
from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Brand
from gigcx.demo import ai as demo_ai
from gigcx.demo import bitext
from tests.factories.assist import make_retail_program

BITEXT_HEADER = "instruction,intent,category,response\n"


def test_the_demo_program_gets_answers_rules_and_an_intent_model(session: Session) -> None:
    program = make_retail_program(session, trained=False)

    demo_ai.seed_ai(session, program, use_embeddings=False)

    answers = assist_service.list_answers(session, SYSTEM, program_id=program.id)
    assert sorted((a.kind, a.status) for a in answers) == [
        (AnswerKind.ANSWER, AnswerStatus.APPROVED),
        (AnswerKind.ANSWER, AnswerStatus.APPROVED),
        (AnswerKind.ANSWER, AnswerStatus.APPROVED),
        (AnswerKind.ARTICLE, AnswerStatus.APPROVED),
        (AnswerKind.ARTICLE, AnswerStatus.APPROVED),
    ]
    assert assist_service.settings_for(session, program.id).bot_threshold == 0.6
    model = assist_service.model_for(session, program.id)
    assert model is not None and len(model.labels) == 5


def test_import_bitext_opens_a_program_with_an_answer_and_examples_per_intent(
    session: Session, tmp_path: Path
) -> None:
    brand = make_retail_program(session, trained=False)
    brand_slug = session.get_one(Brand, brand.brand_id).slug
    rows = [
        ("how do I cancel order {{Order Number}}", "cancel_order", "ORDER", "Go to {{Orders}}."),
        ("cancel my purchase please", "cancel_order", "ORDER", "Go to {{Orders}}."),
        ("I want to stop my order", "cancel_order", "ORDER", "Go to {{Orders}}."),
        ("where is my refund", "track_refund", "REFUND", "Refunds take 5 days."),
        ("track the money you owe me", "track_refund", "REFUND", "Refunds take 5 days."),
        ("has my refund been sent", "track_refund", "REFUND", "Refunds take 5 days."),
    ]
    data = tmp_path / bitext.FILE_NAME
    data.write_text(BITEXT_HEADER + "".join(f'"{a}",{b},{c},"{d}"\n' for a, b, c, d in rows))

    imported = bitext.import_bitext(session, tmp_path, brand_slug=brand_slug, per_intent=2)

    assert (imported.intents, imported.answers, imported.examples) == (2, 2, 4)
    assert [c.key for c in imported.program.categories] == ["cancel-order", "track-refund"]
    bodies = session.scalars(
        select(Answer.body).where(Answer.program_id == imported.program.id).order_by(Answer.intent)
    ).all()
    assert bodies == ["Go to [orders].", "Refunds take 5 days."]
    assert assist_service.model_for(session, imported.program.id) is not None
