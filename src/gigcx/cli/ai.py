"""gigcx ai: train and evaluate a program's intent model."""

import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.ai import evaluation, intent
from gigcx.assist import service as assist_service
from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Brand, Program
from gigcx.cli.output import console, domain_errors, fail, require_schema
from gigcx.db.session import unit_of_work

app = typer.Typer(help="The AI: intent models.", no_args_is_help=True)

ProgramOption = Annotated[
    str, typer.Option("--program", help="The program: its id, slug, or brand-slug/program-slug.")
]


def find_program(session: Session, reference: str) -> Program:
    """Find a program by id, by ``brand/program`` slugs, or by a slug only one brand uses."""
    try:
        program = session.get(Program, uuid.UUID(reference))
    except ValueError:
        program = None
    if program is not None:
        return program
    statement = select(Program)
    if "/" in reference:
        brand_slug, program_slug = reference.split("/", 1)
        statement = statement.join(Brand, Brand.id == Program.brand_id).where(
            Brand.slug == brand_slug, Program.slug == program_slug
        )
    else:
        statement = statement.where(Program.slug == reference)
    found = session.scalars(statement).all()
    if len(found) > 1:
        raise fail(f"several brands have a program {reference!r}; write brand-slug/{reference}")
    if not found:
        raise fail(f"no program {reference!r}; give its id, slug or brand-slug/program-slug")
    return found[0]


STAGES = {
    intent.STAGE_EMBEDDING: "Embedding texts (MiniLM)",
    intent.STAGE_FITTING: "Fitting (n-grams, logistic regression)",
    intent.STAGE_SELF_TRAINING: "Self-training on unlabelled texts",
}


class TrainingProgress:
    """One rich progress line per training stage; a stage without a size pulses."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def start(self, stage: str, total: int | None = None) -> None:
        self._finish()
        self.task = self.progress.add_task(STAGES.get(stage, stage), total=total)

    def advance(self, done: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, done)

    def _finish(self) -> None:
        if self.task is not None:
            done = self.progress.tasks[self.progress.task_ids.index(self.task)].completed or 1
            self.progress.update(self.task, total=done, completed=done)

    @classmethod
    @contextmanager
    def shown(cls, out: Console) -> Iterator["TrainingProgress"]:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=out) as progress:
            shown = cls(progress)
            yield shown
            shown._finish()


def peak_memory_mb() -> float | None:
    """The most memory this process has held so far (resident set), in MB."""
    try:
        import resource
    except ImportError:  # not on Windows; WSL is Linux
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux counts kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@app.command("train")
def train(
    program: ProgramOption,
    data: Annotated[
        Path | None,
        typer.Option(
            help="A CSV with the columns text,label (rows without a label are unlabelled "
            "texts, which help when labels are few); leave out to learn from the program's "
            "resolved tickets, with its other tickets as unlabelled texts."
        ),
    ] = None,
) -> None:
    """Train the program's intent model from labelled examples.

    The database is read before and written after training, each in a short transaction;
    nothing is held while the model learns, so the server and other commands work meanwhile.
    """
    out = console()
    require_schema()
    with domain_errors():
        with unit_of_work() as session:
            found = find_program(session, program)
            examples = (
                assist_service.read_csv(data)
                if data is not None
                else assist_service.examples_from_tickets(session, found.id)
            )
            plan = assist_service.prepare_training(session, SYSTEM, found.id, examples)
        more = f" and {len(examples.unlabelled)} unlabelled texts" if examples.unlabelled else ""
        out.print(f"training on {len(examples.texts)} examples{more} from {examples.source}")
        started = time.perf_counter()
        with TrainingProgress.shown(out) as progress:
            model, report = assist_service.fit_model(plan, progress=progress)
        seconds = time.perf_counter() - started
        with unit_of_work() as session:
            record = assist_service.store_model(session, SYSTEM, plan, model, report)
    table = Table(title=f"Intent model {record.version}")
    table.add_column("examples", justify="right")
    table.add_column("categories", justify="right")
    table.add_column("left out (too few examples)")
    skipped = ", ".join(f"{k} ({v})" for k, v in sorted(report.skipped_classes.items()))
    table.add_row(str(report.examples), str(len(report.classes)), skipped or "none")
    out.print(table)
    if report.unlabelled:
        out.print(
            f"self-trained on {report.pseudo_labelled} of {report.unlabelled} unlabelled "
            "texts (the ones the first model was fairly sure of)"
        )
    peak = peak_memory_mb()
    memory = f", peak memory {peak:,.0f} MB" if peak is not None else ""
    out.print(f"trained in {seconds:,.1f} s{memory}")


@app.command("eval")
def evaluate(
    program: ProgramOption,
    data: Annotated[
        Path,
        typer.Option(
            help="A CSV with the columns text,label (held out). A row whose label is no "
            "category of the program (e.g. oos) or empty is a text the bot should refuse."
        ),
    ],
    threshold: Annotated[
        float | None,
        typer.Option(help="The bot's confidence threshold; the program's own if left out."),
    ] = None,
) -> None:
    """Score the program's intent model: accuracy, macro-F1, per class, the bot's curve, and
    how often it refuses texts that belong to no category."""
    out = console()
    require_schema()
    with domain_errors():
        examples = assist_service.read_csv(data)
        with unit_of_work() as session:
            found = find_program(session, program)
            model, categories = assist_service.model_to_evaluate(session, SYSTEM, found.id)
            bot_threshold = (
                threshold
                if threshold is not None
                else assist_service.settings_for(session, found.id).bot_threshold
            )
        with out.status(f"scoring {len(examples.texts) + len(examples.unlabelled)} texts"):
            score = assist_service.evaluate_model(
                model, categories, examples, threshold=bot_threshold
            )
    result, point = score.result, score.at_threshold
    out.print(f"model {score.version} on {result.examples} examples from {examples.source}")
    out.print(f"accuracy {result.accuracy:.2%} · macro-F1 {result.macro_f1:.2%}")
    out.print(_classes_table(result))
    out.print(_curve_table(result))
    out.print(
        f"bot at threshold {point.threshold:.2f}: precision {point.precision:.2%}, "
        f"coverage {point.coverage:.2%} ({point.answered} of "
        f"{result.examples + result.no_category} answered)"
    )
    if result.no_category:
        labels = ", ".join(
            f"{label or '(empty)'} {n}" for label, n in score.no_category_labels.items()
        )
        out.print(
            f"{result.no_category} texts belong to no category ({labels}): refused "
            f"{score.at_cut.refusal_recall:.2%} at the cut {score.at_cut.threshold:.2f} "
            f'("fits no category"), {point.refusal_recall:.2%} at the bot\'s threshold '
            f"{point.threshold:.2f}"
        )


def _classes_table(result: evaluation.Evaluation) -> Table:
    table = Table(title="Per category")
    for name in ("category", "precision", "recall", "F1", "support"):
        table.add_column(name, justify="left" if name == "category" else "right")
    for c in result.classes:
        table.add_row(
            c.label, f"{c.precision:.2%}", f"{c.recall:.2%}", f"{c.f1:.2%}", str(c.support)
        )
    return table


def _curve_table(result: evaluation.Evaluation) -> Table:
    table = Table(title="Bot precision and coverage by threshold")
    names = ["threshold", "precision", "coverage", "answered"]
    if result.no_category:
        names.append("refused (no category)")
    for name in names:
        table.add_column(name, justify="right")
    for p in result.curve:
        row = [f"{p.threshold:.2f}", f"{p.precision:.2%}", f"{p.coverage:.2%}", str(p.answered)]
        if p.refusal_recall is not None:
            row.append(f"{p.refusal_recall:.2%}")
        table.add_row(*row)
    return table
