"""gigcx ai: train and evaluate a program's intent model."""

import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.ai import evaluation
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
    """Train the program's intent model from labelled examples."""
    out = console()
    require_schema()
    with domain_errors(), unit_of_work() as session:
        found = find_program(session, program)
        examples = (
            assist_service.read_csv(data)
            if data is not None
            else assist_service.examples_from_tickets(session, found.id)
        )
        more = f" and {len(examples.unlabelled)} unlabelled texts" if examples.unlabelled else ""
        with out.status(f"training on {len(examples.texts)} examples{more} from {examples.source}"):
            record, report = assist_service.train_model(session, SYSTEM, found.id, examples)
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


@app.command("eval")
def evaluate(
    program: ProgramOption,
    data: Annotated[Path, typer.Option(help="A CSV with the columns text,label (held out).")],
    threshold: Annotated[
        float | None,
        typer.Option(help="The bot's confidence threshold; the program's own if left out."),
    ] = None,
) -> None:
    """Score the program's intent model: accuracy, macro-F1, per class, the bot's curve."""
    out = console()
    require_schema()
    with domain_errors(), unit_of_work() as session:
        found = find_program(session, program)
        examples = assist_service.read_csv(data)
        bot_threshold = (
            threshold
            if threshold is not None
            else assist_service.settings_for(session, found.id).bot_threshold
        )
        with out.status(f"scoring {len(examples.texts)} examples"):
            result, point, version = assist_service.evaluate_model(
                session, SYSTEM, found.id, examples, threshold=bot_threshold
            )
    out.print(f"model {version} on {result.examples} examples from {examples.source}")
    out.print(f"accuracy {result.accuracy:.2%} · macro-F1 {result.macro_f1:.2%}")
    out.print(_classes_table(result))
    out.print(_curve_table(result))
    out.print(
        f"bot at threshold {point.threshold:.2f}: precision {point.precision:.2%}, "
        f"coverage {point.coverage:.2%} ({point.answered} of {result.examples} answered)"
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
    for name in ("threshold", "precision", "coverage", "answered"):
        table.add_column(name, justify="right")
    for p in result.curve:
        table.add_row(
            f"{p.threshold:.2f}", f"{p.precision:.2%}", f"{p.coverage:.2%}", str(p.answered)
        )
    return table
