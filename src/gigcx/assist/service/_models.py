"""A program's intent model: trained from its own labelled examples, kept in the database."""

import csv
import io
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.ai import evaluation, intent
from gigcx.assist.errors import InvalidTrainingData
from gigcx.assist.models import IntentModelRecord
from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.errors import PermissionDenied
from gigcx.kit import clock
from gigcx.tickets.enums import AuthorKind, TicketStatus
from gigcx.tickets.models import Message, Ticket

_CACHE_SIZE = 16
_cache: "OrderedDict[uuid.UUID, intent.IntentModel]" = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Examples:
    texts: list[str]
    labels: list[str]
    source: str
    unlabelled: list[str] = field(default_factory=list)  # texts that help when labels are few


def read_csv(path: Path) -> Examples:
    """Read examples from a CSV with the columns ``text,label``; a row without a label is an
    unlabelled text."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise InvalidTrainingData(f"cannot read {path}: {error.strerror}") from None
    reader = csv.DictReader(io.StringIO(content))
    fields = reader.fieldnames or []
    label_field = "label" if "label" in fields else "category" if "category" in fields else None
    if "text" not in fields or label_field is None:
        raise InvalidTrainingData(
            f"{path} needs the columns text,label (it has: {', '.join(fields) or 'none'})"
        )
    texts, labels, unlabelled = [], [], []
    for row in reader:
        text, label = (row.get("text") or "").strip(), (row.get(label_field) or "").strip()
        if text and label:
            texts.append(text)
            labels.append(label)
        elif text:
            unlabelled.append(text)
    return Examples(texts, labels, source=path.name, unlabelled=unlabelled)


def examples_from_tickets(session: Session, program_id: uuid.UUID) -> Examples:
    """The program's resolved tickets: each first customer message labelled with its category;
    the first messages of its other tickets, newest first, as unlabelled texts."""
    first_message = (
        select(Message.body)
        .where(Message.ticket_id == Ticket.id, Message.author_kind == AuthorKind.CUSTOMER)
        .order_by(Message.created_at)
        .limit(1)
        .scalar_subquery()
    )
    done = Ticket.status.in_([TicketStatus.RESOLVED, TicketStatus.CLOSED])
    rows = session.execute(
        select(first_message, Ticket.category).where(Ticket.program_id == program_id, done)
    ).all()
    pairs = [(str(body), str(category)) for body, category in rows if body]
    others = session.scalars(
        select(first_message)
        .where(Ticket.program_id == program_id, ~done)
        .order_by(Ticket.created_at.desc())
        .limit(intent.MAX_UNLABELLED)
    ).all()
    return Examples(
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        source="resolved tickets",
        unlabelled=[str(body) for body in others if body],
    )


def _require_manager(principal: Principal, program: Program) -> None:
    if not (principal.can_manage_brand or principal.is_platform_admin or principal.is_system):
        raise PermissionDenied("only the brand's admins train a program's intent model")


def train_model(
    session: Session,
    principal: Principal,
    program_id: uuid.UUID,
    examples: Examples,
    *,
    use_embeddings: bool = True,
) -> tuple[IntentModelRecord, intent.TrainingReport]:
    """Train and store a new intent model for the program; it is used from the next triage.

    ``use_embeddings=False`` trains on word and character n-grams only (faster, less accurate).
    """
    program = brands_service.get_program(session, principal, program_id)
    _require_manager(principal, program)
    known = {c.key for c in program.categories}
    unknown = sorted(set(examples.labels) - known)
    if known and unknown:
        raise InvalidTrainingData(
            f"labels {', '.join(unknown[:5])} are not categories of program {program.slug!r}; "
            f"its categories are: {', '.join(sorted(known))}"
        )
    count = len(
        session.scalars(
            select(IntentModelRecord.id).where(IntentModelRecord.program_id == program.id)
        ).all()
    )
    version = f"{program.slug}-v{count + 1}-{clock.now():%Y%m%d%H%M}"
    try:
        model, report = intent.train(
            examples.texts,
            examples.labels,
            unlabelled=examples.unlabelled,
            version=version,
            use_embeddings=use_embeddings,
            label_names={c.key: c.name for c in program.categories},
        )
    except intent.TooFewExamples as error:
        raise InvalidTrainingData(str(error)) from None
    record = IntentModelRecord(
        program_id=program.id,
        version=version,
        labels=model.labels,
        examples=report.examples,
        metrics={
            "source": examples.source,
            "skipped_classes": report.skipped_classes,
            "unlabelled": report.unlabelled,
            "pseudo_labelled": report.pseudo_labelled,
        },
        data=model.to_bytes(),
    )
    session.add(record)
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="assist.intent_model_trained",
        subject_type="program",
        subject_id=program.id,
        brand_id=program.brand_id,
        data={
            "version": version,
            "examples": report.examples,
            "classes": len(model.labels),
            "pseudo_labelled": report.pseudo_labelled,
        },
    )
    with _cache_lock:
        _cache[record.id] = model
    return record, report


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


def evaluate_model(
    session: Session,
    principal: Principal,
    program_id: uuid.UUID,
    examples: Examples,
    *,
    threshold: float,
) -> tuple[evaluation.Evaluation, evaluation.CurvePoint, str]:
    """Score the program's model on held-out examples; with the bot's point at ``threshold``."""
    program = brands_service.get_program(session, principal, program_id)
    model = model_for(session, program.id)
    if model is None:
        raise InvalidTrainingData(
            f"program {program.slug!r} has no intent model yet; train one with gigcx ai train"
        )
    predictions = model.predict(examples.texts)
    result = evaluation.evaluate(predictions, examples.labels)
    return result, result.at(threshold), model.version


def metrics_summary(result: evaluation.Evaluation) -> dict[str, Any]:
    return {"accuracy": round(result.accuracy, 4), "macro_f1": round(result.macro_f1, 4)}
