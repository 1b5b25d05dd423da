"""gigcx keys: master keys and data keys of encryption at rest."""

from typing import Annotated

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from gigcx.cli.output import console, fail, require_schema
from gigcx.db.session import get_engine
from gigcx.privacy import keys, rotation
from gigcx.privacy.errors import DecryptionFailed, KeyringError
from gigcx.privacy.models import DataKey

app = typer.Typer(help="Keys of encryption at rest.", no_args_is_help=True)


@app.command("generate")
def generate(
    key_id: Annotated[
        str | None, typer.Option("--id", help="The key's id; kYYYYMMDDhhmm when left out.")
    ] = None,
) -> None:
    """Print a new master key, to put first in GIGCX_ENCRYPTION_KEYS."""
    typer.echo(keys.generate_master_key(key_id))


@app.command("status")
def status() -> None:
    """Count the encrypted values per data key, with each key's brand and master key."""
    out = console()
    require_schema()
    try:
        keyring = keys.master_keys()
    except KeyringError as error:
        raise fail(str(error)) from None
    with get_engine().connect() as connection:
        counts = rotation.key_counts(connection)
        rows = connection.execute(
            select(
                DataKey.id,
                DataKey.brand_id,
                DataKey.purpose,
                DataKey.kek_id,
                DataKey.retired_at,
            ).order_by(DataKey.created_at)
        ).all()
    primary = keyring.primary_id or "(KMS hook)"
    out.print(f"primary master key: [bold]{primary}[/]")
    table = Table(title="Data keys", title_justify="left", box=box.SIMPLE_HEAD)
    for name in ("key", "brand", "purpose", "master key", "state", "values"):
        table.add_column(name, justify="right" if name == "values" else "left")
    for row in rows:
        values = sum(column.get(row.id, 0) for column in counts.values())
        state = "retired" if row.retired_at else "current"
        table.add_row(
            row.id,
            str(row.brand_id or "platform"),
            row.purpose,
            row.kek_id,
            state,
            str(values) if row.purpose == keys.DATA else "",
        )
    out.print(table)
    clear = sum(column.get("clear", 0) for column in counts.values())
    if clear:
        out.print(f"[yellow]{clear} values are not encrypted[/]: run `gigcx keys rotate`")


@app.command("rotate")
def rotate(
    rewrap_only: Annotated[
        bool,
        typer.Option(
            "--rewrap-only",
            help="Only wrap the data keys under the new primary master key; keep the values.",
        ),
    ] = False,
) -> None:
    """After a new primary master key is configured: rewrap the data keys under it, then
    re-encrypt every value under new data keys in batches. Run it again to continue a rotation
    that stopped."""
    out = console()
    require_schema()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with get_engine().connect() as connection, Progress(*columns, console=out) as progress:
            total = 0 if rewrap_only else rotation.rows_to_scan(connection)
            connection.rollback()
            bar = progress.add_task("Re-encrypting", total=total or None, visible=not rewrap_only)
            report = rotation.rotate(
                connection,
                reencrypt=not rewrap_only,
                on_batch=lambda rows: progress.advance(bar, rows),
                commit=connection.commit,
            )
            connection.commit()
    except (KeyringError, DecryptionFailed) as error:
        raise fail(str(error)) from None
    out.print(f"data keys rewrapped under the primary master key: {report.rewrapped}")
    if rewrap_only:
        return
    if report.resumed:
        out.print("continued the rotation that had stopped")
    else:
        out.print(f"data keys retired: {report.retired}")
    out.print(f"rows re-encrypted: {report.resealed}")
    if report.left_on_retired:
        out.print(
            f"[yellow]{report.left_on_retired} values are still on retired keys[/] (written "
            "while this ran): run `gigcx keys rotate` again"
        )
    else:
        out.print("no value is left on a retired key; old master keys may now be removed")
