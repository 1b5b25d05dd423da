"""Load the Bitext customer-support sample into a program: categories, answers, intent model.

The file is read where it lies (for example ../shared/data/bitext/); nothing is copied.
"""

import csv
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.assist.schemas import AnswerCreate
from gigcx.auth.enums import Role
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Brand, Program
from gigcx.brands.schemas import CategoryIn, ProgramCreate, RateIn
from gigcx.errors import InvalidInput, NotFound

PROGRAM_SLUG = "bitext-retail"
FILE_NAME = "Bitext_Sample_Customer_Support_Training_Dataset.csv"
_PLACEHOLDER = re.compile(r"\{\{\s*([^}]+?)\s*\}\}")
RATES = {"low": Decimal("1.50"), "medium": Decimal("2.50"), "high": Decimal("4.00")}


@dataclass(frozen=True)
class Imported:
    program: Program
    intents: int
    answers: int
    examples: int


def _rows(path: Path) -> list[dict[str, str]]:
    file = path / FILE_NAME if path.is_dir() else path
    try:
        with file.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise InvalidInput(f"cannot read {file}: {error.strerror}") from None
    if not rows or not {"instruction", "intent", "response"} <= set(rows[0]):
        raise InvalidInput(f"{file} is not the Bitext sample: it needs instruction,intent,response")
    return rows


def import_bitext(
    session: Session, path: Path, *, brand_slug: str, per_intent: int = 40, seed: int = 7
) -> Imported:
    """Open (or refresh) the brand's Bitext program with one answer and examples per intent."""
    rows = _rows(path)
    brand = session.scalar(select(Brand).where(Brand.slug == brand_slug))
    if brand is None:
        raise NotFound(f"no brand {brand_slug!r}; seed the demo first or pass --brand")
    by_intent: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        # Category keys are slugs: cancel_order -> cancel-order.
        by_intent.setdefault(row["intent"].strip().lower().replace("_", "-"), []).append(row)
    intents = sorted(by_intent)
    admin = Principal(role=Role.BRAND_ADMIN, brand_id=brand.id)
    program = session.scalar(
        select(Program).where(Program.brand_id == brand.id, Program.slug == PROGRAM_SLUG)
    )
    if program is None:
        program = brands_service.create_program(
            session,
            admin,
            ProgramCreate(
                name="Retail support (Bitext sample)",
                slug=PROGRAM_SLUG,
                description="Orders, accounts, payments and delivery, from the Bitext sample.",
                languages=["en"],
                channels=["chat", "email"],
                categories=[CategoryIn(key=key, name=key.replace("-", " ")) for key in intents],
                rates=[
                    RateIn(category_key=key, complexity=complexity, amount=amount)
                    for key in intents
                    for complexity, amount in RATES.items()
                ],
            ),
            brand_id=brand.id,
        )
    rng = random.Random(seed)
    answers = 0
    texts: list[str] = []
    labels: list[str] = []
    for intent in intents:
        chosen = rng.sample(by_intent[intent], min(per_intent, len(by_intent[intent])))
        texts += [row["instruction"] for row in chosen]
        labels += [intent] * len(chosen)
        body = _PLACEHOLDER.sub(
            lambda m: f"[{m.group(1).lower()}]", by_intent[intent][0]["response"]
        )
        assist_service.create_answer(
            session,
            SYSTEM,
            AnswerCreate(
                program_id=program.id,
                intent=intent,
                language="en",
                title=intent.replace("-", " ").capitalize(),
                body=body.strip()[:20_000],
            ),
        )
        answers += 1
    assist_service.train_model(
        session, SYSTEM, program.id, assist_service.Examples(texts, labels, source=FILE_NAME)
    )
    return Imported(program=program, intents=len(intents), answers=answers, examples=len(texts))
