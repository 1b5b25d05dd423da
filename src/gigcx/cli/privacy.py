"""gigcx privacy: export or erase a customer or an expert, apply a brand's retention policy."""

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Brand
from gigcx.cli.output import console, domain_errors, fail, require_schema
from gigcx.db.session import unit_of_work
from gigcx.rights import service as rights_service
from gigcx.rights.enums import RequestKind, RequestStatus, SubjectKind
from gigcx.rights.models import PrivacyRequest

app = typer.Typer(help="Data subject rights (export, erasure) and retention.", no_args_is_help=True)

BrandOption = Annotated[
    str | None, typer.Option("--brand", help="The brand's slug (for a customer).")
]
EmailOption = Annotated[str | None, typer.Option("--email", help="The customer's email.")]
ExpertOption = Annotated[
    str | None, typer.Option("--expert", help="An expert's email (instead of --brand/--email).")
]


def _brand_id(session: Session, slug: str) -> Brand:
    brand = session.scalar(select(Brand).where(Brand.slug == slug))
    if brand is None:
        raise fail(f"no brand with the slug {slug!r}; the slugs are in the brand console's URLs")
    return brand


def _subject(brand: str | None, email: str | None, expert: str | None) -> tuple[str, SubjectKind]:
    if expert and (brand or email):
        raise fail("give either --expert EMAIL, or --brand SLUG with --email EMAIL")
    if expert:
        return expert, SubjectKind.EXPERT
    if not brand or not email:
        raise fail("give --brand SLUG and --email EMAIL (a customer), or --expert EMAIL")
    return email, SubjectKind.CUSTOMER


def _run(kind: RequestKind, brand: str | None, email: str, subject: SubjectKind) -> PrivacyRequest:
    """Record the request and carry it out now, in one unit of work (its job finds it done)."""
    with domain_errors(), unit_of_work() as session:
        brand_id = _brand_id(session, brand).id if brand else None
        row = rights_service.request(
            session, SYSTEM, kind=kind, email=email, subject_kind=subject, brand_id=brand_id
        )
        done = rights_service.run_request(session, row.id)
        assert done is not None
        session.refresh(done)
        session.expunge(done)
        return done


def _counts(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD)
    table.add_column("records")
    table.add_column("count", justify="right")
    for name, number in sorted(counts.items()):
        table.add_row(name.replace("_", " "), str(number))
    return table


@app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="Where to write the zip.")],
    brand: BrandOption = None,
    email: EmailOption = None,
    expert: ExpertOption = None,
) -> None:
    """Write everything held about a customer of a brand, or an expert, to a zip."""
    address, subject = _subject(brand, email, expert)
    require_schema()
    row = _run(RequestKind.EXPORT, brand, address, subject)
    assert row.archive is not None
    out.write_bytes(row.archive)
    console().print(_counts(f"Exported to {out} ({row.archive_size} bytes)", row.counts))


@app.command("erase")
def erase(
    brand: BrandOption = None,
    email: EmailOption = None,
    expert: ExpertOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask to type the email again.")] = False,
) -> None:
    """Erase a customer of a brand, or an expert, by anonymising them; this cannot be undone."""
    address, subject = _subject(brand, email, expert)
    require_schema()
    if not yes:
        again = typer.prompt(f"This erases {address} for good. Type the email again to confirm")
        if again.strip().lower() != address.strip().lower():
            raise fail("the emails differ; nothing was erased")
    row = _run(RequestKind.ERASURE, brand, address, subject)
    if row.status == RequestStatus.REFUSED:
        raise fail(row.detail)
    out = console()
    out.print(_counts(f"Erased ({subject.value} {row.subject_id})", row.counts))
    if subject is SubjectKind.EXPERT:
        out.print("kept, as tax and pay law require:")
        for line in rights_service.KEPT_FOR_TAX_AND_PAY:
            out.print(f"  - {line}")


@app.command("retention")
def retention(
    brand: Annotated[str, typer.Option("--brand", help="The brand's slug.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only report what would go; change nothing.")
    ] = False,
) -> None:
    """Apply the brand's retention policy now (or, with --dry-run, report what would go)."""
    require_schema()
    with domain_errors(), unit_of_work() as session:
        brand_id = _brand_id(session, brand).id
        report = rights_service.apply_retention(session, brand_id, dry_run=dry_run)
    verb = "would go" if dry_run else "went"
    table = Table(title=f"Retention for {brand}: what {verb}", box=box.SIMPLE_HEAD)
    table.add_column("records")
    table.add_column("count", justify="right")
    rows = (
        ("closed tickets anonymised", report.tickets),
        ("customers anonymised", report.customers),
        ("raw mails", report.raw_mails),
        ("sent mail bodies", report.sent_mail_bodies),
        ("attachments", report.attachments),
        ("audit events", report.audit_events),
        ("export archives", report.export_archives),
        ("closed tickets kept by a legal hold", report.held_tickets),
    )
    for label, number in rows:
        table.add_row(label, str(number))
    out = console()
    out.print(table)
    if report.closed_ticket_days is None and report.raw_content_days is None:
        out.print("the brand keeps tickets and mail for ever (no retention periods set)")
