"""Payout statements: the lines a payout settled, with totals, as CSV and PDF."""

import csv
import io
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.experts.models import Expert
from gigcx.kit.spreadsheet import safe_row
from gigcx.payments.models import Earning, Payout
from gigcx.payments.service._payouts import get_payout, payout_earnings

CSV_HEADER = ("date", "kind", "program", "description", "surge", "amount", "currency")


@dataclass(frozen=True, slots=True)
class StatementLine:
    earning: Earning
    program_name: str

    @property
    def surge(self) -> str:
        surge = self.earning.terms.get("surge")
        if not surge:
            return ""
        return (
            f"x{surge['multiplier']} ({surge['starts_at'][:16]} to {surge['ends_at'][:16]} UTC, "
            f"announced {surge['announced_at'][:16]})"
        )


@dataclass(frozen=True, slots=True)
class Statement:
    payout: Payout
    expert_name: str
    brand_name: str
    lines: list[StatementLine]

    @property
    def total(self) -> Decimal:
        return sum((line.earning.amount for line in self.lines), Decimal(0))

    @property
    def filename(self) -> str:
        return f"gigcx-statement-{self.payout.week}-{self.payout.currency}-{self.payout.id.hex[:8]}"


def statement_of(session: Session, principal: Principal, payout_id: uuid.UUID) -> Statement:
    """The statement of a payout the principal may read."""
    payout = get_payout(session, principal, payout_id)
    earnings = payout_earnings(session, payout)
    programs = dict(
        session.execute(
            select(Program.id, Program.name).where(Program.id.in_({e.program_id for e in earnings}))
        ).all()
    )
    return Statement(
        payout,
        session.get_one(Expert, payout.expert_id).display_name,
        session.get_one(Brand, payout.brand_id).name,
        [StatementLine(e, programs.get(e.program_id, "")) for e in earnings],
    )


def statement_csv(statement: Statement) -> str:
    """One row per settled entry, then the total."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    currency = statement.payout.currency
    # Descriptions and program names are typed by people: never let a cell run as a formula.
    for line in statement.lines:
        e = line.earning
        writer.writerow(
            safe_row(
                (
                    e.created_at.date().isoformat(),
                    e.kind,
                    line.program_name,
                    e.description,
                    line.surge,
                    f"{e.amount:.2f}",
                    currency,
                )
            )
        )
    writer.writerow(
        safe_row(
            (
                "",
                "total",
                "",
                f"{len(statement.lines)} lines",
                "",
                f"{statement.total:.2f}",
                currency,
            )
        )
    )
    return out.getvalue()


def _latin(text: str) -> str:
    # The core PDF fonts cover Latin-1 only; anything else prints as "?" rather than failing.
    return (
        text.replace("\N{MULTIPLICATION SIGN}", "x").encode("latin-1", "replace").decode("latin-1")
    )


def statement_pdf(statement: Statement) -> bytes:
    """A one-table PDF of the statement."""
    from fpdf import FPDF  # loaded when a PDF is asked for, not when a server process starts

    payout = statement.payout
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_creator("GigCX")
    pdf.set_title(f"Payout statement {payout.week}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin(f"Payout statement {payout.week}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for text in (
        f"Expert: {statement.expert_name}",
        f"Paid by: {statement.brand_name}",
        f"Earnings up to {payout.cutoff:%Y-%m-%d %H:%M} UTC; no fees are deducted.",
        f"Payout {payout.id}",
    ):
        pdf.cell(0, 6, _latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    with pdf.table(col_widths=(22, 22, 34, 62, 30, 20), text_align="LEFT") as table:
        table.row(["Date", "Kind", "Program", "Description", "Surge", "Amount"])
        for line in statement.lines:
            e = line.earning
            table.row(
                [
                    e.created_at.date().isoformat(),
                    str(e.kind),
                    _latin(line.program_name),
                    _latin(e.description),
                    _latin(line.surge),
                    f"{e.amount:.2f}",
                ]
            )
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    total = f"Total: {statement.total:.2f} {payout.currency} ({len(statement.lines)} lines)"
    pdf.cell(0, 8, total, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
