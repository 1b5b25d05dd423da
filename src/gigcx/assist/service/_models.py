"""A program's intent model: kept in the database, loaded once per process, scored."""

import threading
import uuid
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.ai import embeddings, evaluation, intent
from gigcx.ai.triage import RECOGNISE_AT
from gigcx.assist.errors import InvalidTrainingData
from gigcx.assist.models import IntentModelRecord
from gigcx.assist.service._examples import Examples
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program

_CACHE_SIZE = 16
_cache: "OrderedDict[uuid.UUID, intent.IntentModel]" = OrderedDict()
_cache_lock = threading.Lock()


def remember(record_id: uuid.UUID, model: intent.IntentModel) -> None:
    """Keep a model this process just trained, so its first triage need not load it again."""
    with _cache_lock:
        _cache[record_id] = model
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def latest_record(session: Session, program_id: uuid.UUID) -> IntentModelRecord | None:
    return session.scalar(
        select(IntentModelRecord)
        .where(IntentModelRecord.program_id == program_id)
        .order_by(IntentModelRecord.created_at.desc())
        .limit(1)
    )


def has_model(session: Session, program_id: uuid.UUID) -> bool:
    """Whether the program has a trained intent model (then routing waits for triage)."""
    found = session.scalar(
        select(IntentModelRecord.id).where(IntentModelRecord.program_id == program_id).limit(1)
    )
    return found is not None


def model_for(session: Session, program_id: uuid.UUID) -> intent.IntentModel | None:
    """The program's newest intent model, loaded once per process."""
    record_id = session.scalar(
        select(IntentModelRecord.id)
        .where(IntentModelRecord.program_id == program_id)
        .order_by(IntentModelRecord.created_at.desc())
        .limit(1)
    )
    if record_id is None:
        return None
    with _cache_lock:
        if record_id in _cache:
            _cache.move_to_end(record_id)
            return _cache[record_id]
    record = session.get_one(IntentModelRecord, record_id)
    model = intent.IntentModel.from_bytes(record.data)
    with _cache_lock:
        _cache[record_id] = model
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return model


def guess_category(session: Session, program_id: uuid.UUID, text: str) -> str | None:
    """The program's category for a text by its intent model (None without a model or text).

    Lets a customer leave the topic out; triage reads the ticket again before routing."""
    model = model_for(session, program_id) if text.strip() else None
    if model is None:
        return None
    label = model.predict([text])[0].label
    keys = {c.key for c in session.get_one(Program, program_id).categories}
    return label if label in keys else None


def model_to_evaluate(
    session: Session, principal: Principal, program_id: uuid.UUID
) -> tuple[intent.IntentModel, set[str]]:
    """The program's newest model and its category keys, for scoring outside the session."""
    program = brands_service.get_program(session, principal, program_id)
    model = model_for(session, program.id)
    if model is None:
        raise InvalidTrainingData(
            f"program {program.slug!r} has no intent model yet; train one with gigcx ai train"
        )
    return model, {c.key for c in program.categories}


@dataclass(frozen=True)
class ModelScore:
    version: str
    result: evaluation.Evaluation
    at_threshold: evaluation.CurvePoint  # the bot's threshold
    at_cut: evaluation.CurvePoint  # below it an inquiry "fits no category"
    no_category_labels: dict[str, int]  # labels read as "no category" ("" for none), counted


def evaluate_model(
    model: intent.IntentModel,
    categories: set[str],
    examples: Examples,
    *,
    threshold: float,
    progress: Callable[[int], None] | None = None,
) -> ModelScore:
    """Score a model on held-out examples. A text labelled with no category of the program
    (``oos``, or no label at all) is scored as one the bot should refuse, not as a miss."""
    known = categories or set(model.labels)
    texts = [*examples.texts, *examples.unlabelled]
    labels = [*examples.labels, *([""] * len(examples.unlabelled))]
    truth: list[evaluation.Truth] = [label if label in known else None for label in labels]
    outside = Counter(label for label in labels if label not in known)
    vectors = (
        embeddings.encode(texts, progress=progress) if model.use_embeddings and texts else None
    )
    result = evaluation.evaluate(model.predict(texts, vectors), truth)
    return ModelScore(
        version=model.version,
        result=result,
        at_threshold=result.at(threshold),
        at_cut=result.at(RECOGNISE_AT),
        no_category_labels=dict(sorted(outside.items())),
    )


def metrics_summary(result: evaluation.Evaluation) -> dict[str, Any]:
    return {"accuracy": round(result.accuracy, 4), "macro_f1": round(result.macro_f1, 4)}
