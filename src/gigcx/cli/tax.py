"""gigcx tax: the yearly report of experts each payer paid at or above the reporting threshold."""

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from gigcx.auth.principal import SYSTEM
from gigcx.cli.output import console, domain_errors, require_schema
from gigcx.db.session import unit_of_work
from gigcx.payments import service as payments_service

app = typer.Typer(help="Tax reports for payers.", no_args_is_help=True)


@app.command("report")
def report(
    year: Annotated[int, typer.Option(help="Calendar year of the payments, e.g. 2026.")],
    payer: Annotated[
        str | None, typer.Option(help="Only this brand (its slug); every brand when left out.")
    ] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write the report as CSV to this file.")
    ] = None,
) -> None:
    """List experts paid at least the year's threshold in USD, per paying brand."""
    out = console()
    require_schema()
    with domain_errors(), unit_of_work() as session:
        result = payments_service.tax_report(session, SYSTEM, year=year, payer=payer)
    threshold = result.threshold
    table = Table(
        title=f"Payments in {year} at or above {result.currency} {threshold.amount:,.2f}",
        box=box.SIMPLE_HEAD,
    )
    for name in ("payer", "expert", "form", "tin", "total", "payouts", "1099"):
        table.add_column(name, justify="right" if name in {"total", "payouts"} else "left")
    for line in result.lines:
        form = (line.form or "MISSING").upper()
        table.add_row(
            line.payer_slug,
            line.legal_name or line.expert_name,
            form,
            line.tin_masked,
            f"{line.total:,.2f}",
            str(line.payouts),
            "yes" if line.needs_1099 else "no",
        )
    out.print(table)
    out.print(f"threshold: {threshold.source}")
    out.print(
        f"experts at or above it: {len(result.lines)} · missing tax profiles: "
        f"{result.missing_profiles}"
    )
    for currency, total in result.other_currencies.items():
        out.print(
            f"not compared (not {result.currency}, no exchange rates kept): {currency} "
            f"{total:,.2f} paid in {year}"
        )
    if csv is not None:
        csv.write_text(payments_service.tax_report_csv(result), encoding="utf-8")
        out.print(f"wrote {csv}")
