"""Training a program's intent model without holding the database while it learns.

Training takes minutes on a large program. It runs in three steps so that no transaction stays
open meanwhile (on SQLite an open write transaction blocks every other writer):
``prepare_training`` reads and checks what it needs in a short unit of work, ``fit_model`` learns
with no session at all, and ``store_model`` writes the result in a new short unit of work.
``train_model`` does the three in one session, for small data (the demo, tests).
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.ai import intent
from gigcx.assist.errors import InvalidTrainingData
from gigcx.assist.models import IntentModelRecord
from gigcx.assist.service import _models
from gigcx.assist.service._examples import Examples
from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.errors import PermissionDenied
from gigcx.kit import clock


@dataclass(frozen=True)
class TrainingPlan:
    """What training a program's model needs, read before training starts."""

    program_id: uuid.UUID
    program_slug: str
    examples: Examples
    label_names: dict[str, str]


def _managed_program(session: Session, principal: Principal, program_id: uuid.UUID) -> Program:
    program = brands_service.get_program(session, principal, program_id)
    if not (principal.can_manage_brand or principal.is_platform_admin or principal.is_system):
        raise PermissionDenied("only the brand's admins train a program's intent model")
    return program


def prepare_training(
    session: Session, principal: Principal, program_id: uuid.UUID, examples: Examples
) -> TrainingPlan:
    """Check that the principal may train the program's model and that the labels are its
    categories; return what training needs, so the session can close before it starts."""
    program = _managed_program(session, principal, program_id)
    known = {c.key for c in program.categories}
    unknown = sorted(set(examples.labels) - known)
    if known and unknown:
        raise InvalidTrainingData(
            f"labels {', '.join(unknown[:5])} are not categories of program {program.slug!r}; "
            f"its categories are: {', '.join(sorted(known))}"
        )
    return TrainingPlan(
        program_id=program.id,
        program_slug=program.slug,
        examples=examples,
        label_names={c.key: c.name for c in program.categories},
    )


def fit_model(
    plan: TrainingPlan,
    *,
    use_embeddings: bool = True,
    progress: intent.Progress | None = None,
) -> tuple[intent.IntentModel, intent.TrainingReport]:
    """Learn the model; touches no database. ``use_embeddings=False`` learns from word and
    character n-grams only (faster, less accurate)."""
    try:
        return intent.train(
            plan.examples.texts,
            plan.examples.labels,
            unlabelled=plan.examples.unlabelled,
            use_embeddings=use_embeddings,
            label_names=plan.label_names,
            progress=progress,
        )
    except intent.TooFewExamples as error:
        raise InvalidTrainingData(str(error)) from None


def store_model(
    session: Session,
    principal: Principal,
    plan: TrainingPlan,
    model: intent.IntentModel,
    report: intent.TrainingReport,
) -> IntentModelRecord:
    """Store a trained model as the program's newest; it is used from the next triage."""
    program = _managed_program(session, principal, plan.program_id)
    count = session.scalar(
        select(func.count())
        .select_from(IntentModelRecord)
        .where(IntentModelRecord.program_id == program.id)
    )
    model.version = f"{program.slug}-v{(count or 0) + 1}-{clock.now():%Y%m%d%H%M}"
    record = IntentModelRecord(
        program_id=program.id,
        version=model.version,
        labels=model.labels,
        examples=report.examples,
        metrics={
            "source": plan.examples.source,
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
            "version": model.version,
            "examples": report.examples,
            "classes": len(model.labels),
            "pseudo_labelled": report.pseudo_labelled,
        },
    )
    _models.remember(record.id, model)
    return record


def train_model(
    session: Session,
    principal: Principal,
    program_id: uuid.UUID,
    examples: Examples,
    *,
    use_embeddings: bool = True,
) -> tuple[IntentModelRecord, intent.TrainingReport]:
    """Train and store a new intent model for the program in one session (small data only:
    the session stays open while it learns; ``gigcx ai train`` uses the three steps)."""
    plan = prepare_training(session, principal, program_id, examples)
    model, report = fit_model(plan, use_embeddings=use_embeddings)
    return store_model(session, principal, plan, model, report), report
