"""The yearly report per payer: experts paid at or above the US reporting threshold.

The payer is the brand: each payout is what one brand pays one expert (``Payout.brand_id``),
brands run their own payout schedules, and the platform takes no fees and pays nobody itself.
A year's total is the sum of the payouts made (created) in that calendar year, UTC, in US
dollars. Payouts in other currencies are not converted (GigCX keeps no exchange rates) nor
compared with the threshold: the report lists their totals apart, for the payer to handle.
"""

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand
from gigcx.config import get_settings
from gigcx.errors import InvalidInput, NotFound, PermissionDenied
from gigcx.experts.models import Expert
from gigcx.kit.spreadsheet import safe_row
from gigcx.payments.enums import TaxForm
from gigcx.payments.errors import InvalidTaxYear
from gigcx.payments.models import Payout, TaxProfile
from gigcx.payments.queries import readable_payouts
from gigcx.payments.service._tax import TaxProfileView, _view

REPORT_CURRENCY = "USD"
FIRST_YEAR, LAST_YEAR = 2000, 2099


@dataclass(frozen=True, slots=True)
class Threshold:
    """The reporting threshold from ``since`` (a year) on, and where it comes from."""

    since: int
    amount: Decimal
    source: str


# Payments made in the year ``since`` or later, until the next line (Form 1099-NEC/MISC).
BUILT_IN_THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(
        FIRST_YEAR, Decimal(600), "Form 1099-NEC: USD 600 for payments made in 2025 or earlier"
    ),
    Threshold(
        2026,
        Decimal(2000),
        "One Big Beautiful Bill Act \N{SECTION SIGN}70433: USD 2,000 "
        "for payments made after 31 December 2025",
    ),
)


def configured_thresholds(text: str) -> list[Threshold]:
    """Read ``GIGCX_TAX_REPORT_THRESHOLDS`` ("2027=2100,2028=2150") into thresholds."""
    found = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        year, _, amount = part.partition("=")
        try:
            since, value = int(year.strip()), Decimal(amount.strip())
        except (ValueError, InvalidOperation):
            raise InvalidInput(
                f"GIGCX_TAX_REPORT_THRESHOLDS: {part.strip()!r} is not YEAR=AMOUNT; write for "
                "example 2027=2100,2028=2150 (US dollars)"
            ) from None
        if not FIRST_YEAR <= since <= LAST_YEAR or not value.is_finite() or value <= 0:
            raise InvalidInput(
                f"GIGCX_TAX_REPORT_THRESHOLDS: {part.strip()!r} needs a year from 2000 to 2099 "
                "and an amount above zero"
            )
        found.append(
            Threshold(since, value, f"GIGCX_TAX_REPORT_THRESHOLDS: USD {value} from {since}")
        )
    return found


def thresholds() -> list[Threshold]:
    """The built-in thresholds with the configured ones on top, oldest first."""
    by_year = {t.since: t for t in BUILT_IN_THRESHOLDS}
    by_year |= {t.since: t for t in configured_thresholds(get_settings().tax_report_thresholds)}
    return [by_year[year] for year in sorted(by_year)]


def reporting_threshold(year: int) -> Threshold:
    """The threshold for payments made in ``year``.

    A year after the last known one keeps the last amount (it is indexed from 2027: add the
    published figure to GIGCX_TAX_REPORT_THRESHOLDS), and the source says so.
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidTaxYear(year)
    known = [t for t in thresholds() if t.since <= year]
    latest = known[-1]
    if year > latest.since and latest.since >= 2026 and year >= 2027:
        note = (
            f"{latest.source}; no figure set for {year} yet (indexed for inflation from 2027): "
            "add it to GIGCX_TAX_REPORT_THRESHOLDS"
        )
        return Threshold(latest.since, latest.amount, note)
    return latest


@dataclass(frozen=True, slots=True)
class TaxReportLine:
    expert_id: uuid.UUID
    expert_name: str
    payer_slug: str
    payer_name: str
    currency: str
    total: Decimal
    payouts: int
    profile: TaxProfileView | None

    @property
    def is_missing_profile(self) -> bool:
        return self.profile is None

    @property
    def needs_1099(self) -> bool:
        """A US person (W-9) gets a 1099-NEC; without a profile the payer must ask for one."""
        return self.profile is None or self.profile.form == TaxForm.W9

    @property
    def form(self) -> TaxForm | None:
        return None if self.profile is None else self.profile.form

    @property
    def legal_name(self) -> str:
        return "" if self.profile is None else self.profile.legal_name

    @property
    def tin_masked(self) -> str:
        return "" if self.profile is None else self.profile.tin_masked


@dataclass(slots=True)
class TaxReport:
    year: int
    threshold: Threshold
    lines: list[TaxReportLine] = field(default_factory=list)
    # Payouts of the year in other currencies, per currency: not converted, not compared.
    other_currencies: dict[str, Decimal] = field(default_factory=dict)
    currency: str = REPORT_CURRENCY

    @property
    def missing_profiles(self) -> int:
        return sum(1 for line in self.lines if line.is_missing_profile)


def _payer(session: Session, principal: Principal, slug: str | None) -> uuid.UUID | None:
    if principal.is_brand_staff:
        if not principal.can_manage_brand:
            raise PermissionDenied("only the brand's admins see its tax report; ask one of them")
        brand = session.get(Brand, principal.brand_id)
        if brand is None or (slug is not None and brand.slug != slug):
            raise NotFound("no such payer: a brand sees its own report only")
        return brand.id
    if not (principal.is_platform_admin or principal.is_system):
        raise PermissionDenied("the tax report is for the paying brand's admins")
    if slug is None:
        return None
    brand_id = session.scalar(select(Brand.id).where(Brand.slug == slug))
    if brand_id is None:
        raise NotFound(f"no brand has the slug {slug!r}; list them in the platform admin pages")
    return brand_id


def tax_report(
    session: Session, principal: Principal, *, year: int, payer: str | None = None
) -> TaxReport:
    """Experts each payer paid at least the year's threshold in US dollars, biggest first."""
    threshold = reporting_threshold(year)
    brand_id = _payer(session, principal, payer)
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    scope = readable_payouts(principal).where(Payout.created_at >= start, Payout.created_at < end)
    if brand_id is not None:
        scope = scope.where(Payout.brand_id == brand_id)
    payouts = scope.subquery()
    total = func.sum(payouts.c.total)
    rows = session.execute(
        select(
            payouts.c.expert_id,
            Expert.display_name,
            Brand.slug,
            Brand.name,
            total.label("total"),
            func.count().label("payouts"),
        )
        .join(Expert, Expert.id == payouts.c.expert_id)
        .join(Brand, Brand.id == payouts.c.brand_id)
        .where(payouts.c.currency == REPORT_CURRENCY)
        .group_by(payouts.c.expert_id, Expert.display_name, Brand.slug, Brand.name)
        .having(total >= threshold.amount)
    ).all()
    profiles = {
        p.expert_id: _view(p)
        for p in session.scalars(
            select(TaxProfile).where(TaxProfile.expert_id.in_({row[0] for row in rows}))
        )
    }
    report = TaxReport(year, threshold)
    for expert_id, name, slug, payer_name, amount, count in rows:
        report.lines.append(
            TaxReportLine(
                expert_id=expert_id,
                expert_name=name,
                payer_slug=slug,
                payer_name=payer_name,
                currency=REPORT_CURRENCY,
                total=Decimal(amount).quantize(Decimal("0.01")),
                payouts=int(count),
                profile=profiles.get(expert_id),
            )
        )
    report.lines.sort(key=lambda line: (line.payer_slug, -line.total, line.expert_name))
    for currency, amount in session.execute(
        select(payouts.c.currency, func.sum(payouts.c.total))
        .where(payouts.c.currency != REPORT_CURRENCY)
        .group_by(payouts.c.currency)
        .order_by(payouts.c.currency)
    ).all():
        report.other_currencies[currency] = Decimal(amount).quantize(Decimal("0.01"))
    return report


CSV_COLUMNS = (
    "year",
    "payer",
    "expert_id",
    "expert",
    "legal_name",
    "form",
    "tin",
    "currency",
    "total",
    "payouts",
    "threshold",
    "missing_tax_profile",
    "needs_1099",
)


def tax_report_csv(report: TaxReport) -> str:
    """The report as CSV, one row per expert and payer; the tax id by its last four only."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in report.lines:
        writer.writerow(
            safe_row(
                (
                    report.year,
                    line.payer_slug,
                    line.expert_id,
                    line.expert_name,
                    line.legal_name,
                    line.form or "",
                    line.tin_masked,
                    line.currency,
                    f"{line.total:.2f}",
                    line.payouts,
                    f"{report.threshold.amount:.2f}",
                    "yes" if line.is_missing_profile else "no",
                    "yes" if line.needs_1099 else "no",
                )
            )
        )
    return out.getvalue()
