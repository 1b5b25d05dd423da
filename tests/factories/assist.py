from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.assist.enums import AnswerKind, BotUse
from gigcx.assist.models import Answer
from gigcx.assist.schemas import AnswerCreate, AssistSettingsUpdate
from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Brand, Program
from gigcx.demo import ai_content
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Ticket
from tests.factories.brands import make_brand, make_program
from tests.factories.tickets import brand_api_for, ticket_data

RETAIL_GIG = ("order-status", "returns-exchanges", "product-advice", "warranty-repairs")
RETAIL_INHOUSE = ("payment-disputes",)


def make_retail_program(
    session: Session,
    brand: Brand | None = None,
    *,
    trained: bool = True,
    threshold: float = 0.3,
    royalty: str | None = "0.25",
    languages: tuple[str, ...] = ("en",),
    extra_examples: dict[str, tuple[str, ...]] | None = None,
) -> Program:
    """A retail program with the demo's categories, AI rules and (by default) an intent model
    trained on word and character n-grams only, which is fast."""
    program = make_program(
        session,
        brand or make_brand(session),
        gig_categories=RETAIL_GIG,
        inhouse_categories=RETAIL_INHOUSE,
        languages=languages,
    )
    assist_service.update_settings(
        session,
        SYSTEM,
        program.id,
        AssistSettingsUpdate(
            bot_threshold=threshold,
            royalty_amount=Decimal(royalty) if royalty is not None else None,
        ),
    )
    if trained:
        examples = {
            label: (*texts, *(extra_examples or {}).get(label, ()))
            for label, texts in ai_content.EXAMPLES.items()
        }
        texts = [t for texts in examples.values() for t in texts]
        labels = [label for label, texts in examples.items() for _ in texts]
        assist_service.train_model(
            session,
            SYSTEM,
            program.id,
            assist_service.Examples(texts, labels, source="test"),
            use_embeddings=False,
        )
    return program


def make_answer(
    session: Session,
    program: Program,
    *,
    intent: str = "order-status",
    body: str = "Orders ship within 2 business days with a tracking link.",
    title: str = "Where is my order?",
    kind: AnswerKind = AnswerKind.ANSWER,
    author_expert_id: object = None,
    language: str | None = None,
    bot_use: BotUse | None = None,
) -> Answer:
    answer = assist_service.create_answer(
        session,
        SYSTEM,
        AnswerCreate(
            program_id=program.id,
            kind=kind,
            intent=intent,
            title=title,
            body=body,
            language=language,
            bot_use=bot_use,
        ),
    )
    if author_expert_id is not None:
        answer.author_expert_id = author_expert_id  # type: ignore[assignment]
        session.flush()
    return answer


def write_in(
    session: Session, program: Program, body: str, *, guess: bool = False, **overrides: Any
) -> Ticket:
    """Take in an inquiry as the API does: routing waits for triage when the program has a model;
    with ``guess`` a left-out category is picked by the model."""
    ticket, _ = tickets_service.create_ticket(
        session,
        brand_api_for(session, program),
        ticket_data(program, body=body, **{"category": program.categories[0].key, **overrides}),
        idempotency_key=None,
        route_after_triage=assist_service.routes_after_triage(session, program.id),
        guess_category=partial(assist_service.guess_category, session, program.id)
        if guess
        else None,
    )
    return ticket
