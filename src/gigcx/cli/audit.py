"""gigcx audit: verify the audit log's hash chains; export a brand's audit as CSV."""

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Brand
from gigcx.cli.output import console, fail, require_schema
from gigcx.db.dialect import snapshot
from gigcx.db.session import open_session, unit_of_work

app = typer.Typer(
    help="The tamper-evident audit log: verify its hash chains, export a brand's events.",
    no_args_is_help=True,
)


def _brand_id(session: Session, slug: str) -> uuid.UUID:
    brand_id = session.scalar(select(Brand.id).where(Brand.slug == slug))
    if brand_id is None:
        raise fail(f"no brand with the slug {slug!r}; `gigcx` lists none by that name")
    return brand_id


def _moment(value: datetime | None) -> datetime | None:
    """A time given on the command line, read as UTC when it names no zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@app.command("verify")
def verify(
    brand: Annotated[
        str | None, typer.Option(help="Verify only this brand's chain (its slug).")
    ] = None,
) -> None:
    """Seal new events, then recompute every chain; exit 1 at the first broken event."""
    out = console()
    require_schema()
    with unit_of_work() as session:
        brand_id = _brand_id(session, brand) if brand else None
        sealed = audit_service.seal(session)
    out.print(f"sealed {sealed} new event(s)")
    session = open_session(writes=False)
    try:
        # One consistent view of every chain, while sealing goes on beside it.
        snapshot(session)
        total = audit_service.to_verify(session, brand_id=brand_id)
        columns = (
            TextColumn("verifying"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=out, transient=True) as progress:
            task = progress.add_task("verify", total=total)
            result = audit_service.verify(
                session, brand_id=brand_id, progress=lambda n: progress.advance(task, n)
            )
    finally:
        session.close()
    table = Table(title="Audit chains", title_justify="left")
    for column in ("chain", "events", "first", "head"):
        table.add_column(column)
    # In full: kept elsewhere, a head hash shows later whether the chain was rewritten.
    table.add_column("head hash", overflow="fold")
    table.add_column("state")
    for report in result.reports:
        state = "[green]intact[/]"
        if report.broken is not None:
            state = f"[red]broken at {report.broken.seq}: {report.broken.reason}[/]"
        table.add_row(
            report.chain,
            str(report.checked),
            str(report.first_seq),
            str(report.last_seq),
            report.last_hash,
            state,
        )
    out.print(table)
    for event_id in result.changed_unsealed:
        out.print(f"[red]event {event_id} (not sealed yet) was changed after it was written[/]")
    first = result.first_break
    if first is not None:
        raise fail(f"audit chain {first.chain} is broken at sequence number {first.seq}")
    if result.changed_unsealed:
        raise fail(f"{len(result.changed_unsealed)} unsealed event(s) were changed")
    out.print("every audit chain is intact")


@app.command("seal")
def seal() -> None:
    """Give every new event its place in its chain now (the job runner does it every 30 s)."""
    require_schema()
    with unit_of_work() as session:
        sealed = audit_service.seal(session)
    console().print(f"sealed {sealed} new event(s)")


@app.command("export")
def export(
    brand: Annotated[str, typer.Option(help="The brand's slug.")],
    out: Annotated[Path, typer.Option("--out", help="The CSV file to write.")],
    since: Annotated[
        datetime | None, typer.Option(help="Events at or after this time (UTC unless given).")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(help="Events before this time (UTC unless given).")
    ] = None,
) -> None:
    """Write a brand's audit events as CSV (cells that would run as formulas are quoted)."""
    require_schema()
    rows = 0
    session = open_session(writes=False)
    try:
        snapshot(session)
        brand_id = _brand_id(session, brand)
        with out.open("w", encoding="utf-8", newline="") as file:
            for line in audit_service.csv_lines(
                session, brand_id, since=_moment(since), until=_moment(until)
            ):
                file.write(line)
                rows += 1
    finally:
        session.close()
    with unit_of_work() as session:
        audit_service.record(
            session,
            actor=SYSTEM,
            action="audit.exported",
            subject_type="brand",
            subject_id=brand_id,
            brand_id=brand_id,
            data={"events": rows - 1, "via": "cli", "since": str(since), "until": str(until)},
        )
    console().print(f"wrote {rows - 1} event(s) to {out}")
