"""The demo's AI: approved answers, articles, AI rules and a trained intent model."""

from collections.abc import Callable

from sqlalchemy.orm import Session

from gigcx.ai import embeddings
from gigcx.assist import service as assist_service
from gigcx.assist.enums import AnswerKind
from gigcx.assist.schemas import AnswerCreate, AssistSettingsUpdate
from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Program
from gigcx.demo import ai_content


def load_models() -> None:
    """Load the sentence model ``seed_ai`` trains with, before a transaction holds the database."""
    embeddings.model()


def seed_ai(
    session: Session,
    program: Program,
    *,
    use_embeddings: bool = True,
    before_fit: Callable[[], object] | None = None,
) -> None:
    """Give a retail program its answers, its AI rules and an intent model from the examples."""
    assist_service.update_settings(
        session,
        SYSTEM,
        program.id,
        AssistSettingsUpdate(
            bot_threshold=ai_content.BOT_THRESHOLD,
            royalty_amount=ai_content.ROYALTY,
            forbidden_phrases=["calm down", "not our problem"],
        ),
    )
    for spec in ai_content.ANSWERS:
        assist_service.create_answer(
            session,
            SYSTEM,
            AnswerCreate(
                program_id=program.id,
                kind=AnswerKind.ARTICLE if spec.is_article else AnswerKind.ANSWER,
                intent=spec.intent,
                language=ai_content.ANSWER_LANGUAGE,
                title=spec.title,
                body=spec.body,
            ),
        )
    texts = [text for texts in ai_content.EXAMPLES.values() for text in texts]
    labels = [label for label, texts in ai_content.EXAMPLES.items() for _ in texts]
    examples = assist_service.Examples(texts, labels, source="demo examples")
    plan = assist_service.prepare_training(session, SYSTEM, program.id, examples)
    if before_fit is not None:
        # Staged seeding commits here, so that no transaction is open while the model learns.
        before_fit()
    model, report = assist_service.fit_model(plan, use_embeddings=use_embeddings)
    assist_service.store_model(session, SYSTEM, plan, model, report)
