"""Tax profiles (W-9, W-8BEN) and the yearly report per payer."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.config import get_settings
from gigcx.errors import InvalidInput, NotFound, PermissionDenied
from gigcx.experts.models import Expert
from gigcx.payments import service as payments_service
from gigcx.payments.enums import TaxForm, TinType
from gigcx.payments.errors import InvalidTaxProfile
from gigcx.payments.models import Payout, TaxProfile
from gigcx.payments.schemas import TaxProfileUpdate
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.quality import staff

W9 = {
    "form": "w9",
    "legal_name": "Ana Example",
    "tax_classification": "individual",
    "street": "1 Main St",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "country": "US",
    "tin_type": "ssn",
    "tax_id": "123-45-6789",
    "signature_name": "ana example",
    "certify": True,
}
W8 = {
    "form": "w8ben",
    "legal_name": "Bruno Exemplo",
    "citizenship_country": "pt",
    "street": "Rua Augusta 1",
    "city": "Lisboa",
    "postal_code": "1100-053",
    "country": "PT",
    "tax_id": "123 456 789",
    "date_of_birth": "1990-04-27",
    "treaty_country": "PT",
    "treaty_article": "Article 7, 0%",
    "signature_name": "Bruno Exemplo",
    "certify": True,
}


def save(session: Session, expert: Expert, **fields: object) -> payments_service.TaxProfileView:
    return payments_service.set_tax_profile(
        session, as_expert(expert), TaxProfileUpdate.model_validate(fields)
    )


def test_a_w9_is_stored_with_the_tin_and_shown_by_its_last_four(session: Session) -> None:
    expert = make_expert(session)

    view = save(session, expert, **{**W9, "tax_id": "123 45 6789"})

    stored = session.scalars(select(TaxProfile)).one()
    assert stored.tax_id == "123-45-6789"
    assert (view.form, view.tin_type, view.tin_last4) == (TaxForm.W9, TinType.SSN, "6789")
    assert view.tin_masked == "SSN \N{BULLET}\N{BULLET}\N{BULLET}\N{BULLET}6789"
    assert "123-45" not in repr(view)


def test_a_w8ben_keeps_citizenship_birth_date_and_treaty(session: Session) -> None:
    expert = make_expert(session)

    view = save(session, expert, **W8)

    assert (view.form, view.citizenship_country, view.country) == (TaxForm.W8BEN, "PT", "PT")
    assert (view.date_of_birth, view.treaty_article) == (date(1990, 4, 27), "Article 7, 0%")
    assert (view.tin_type, view.tin_last4) == (TinType.FOREIGN, "6789")


@pytest.mark.parametrize(
    ("changes", "field", "start"),
    [
        ({"tax_id": "000-12-3456"}, "tax_id", "This is not an SSN"),
        ({"tax_id": "12345"}, "tax_id", "An SSN has 9 digits"),
        ({"tin_type": "ein", "tax_id": "07-1234567"}, "tax_id", "No EIN starts with 07"),
        ({"country": "DE"}, "country", "A W-9 is for US persons"),
        ({"postal_code": "ABCDE"}, "postal_code", "Enter the ZIP code"),
        ({"tax_classification": "duke"}, "tax_classification", "Choose the federal"),
        ({"signature_name": "Someone Else"}, "signature_name", "Type your legal name exactly"),
        ({"certify": False}, "certify", "Tick the certification"),
    ],
)
def test_a_bad_w9_is_refused_by_field(
    session: Session, changes: dict[str, object], field: str, start: str
) -> None:
    expert = make_expert(session)

    with pytest.raises(InvalidTaxProfile) as refused:
        save(session, expert, **{**W9, **changes})

    assert refused.value.field == field
    assert refused.value.message.startswith(start)
    assert refused.value.status_code == 400
    assert session.scalars(select(TaxProfile)).all() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"country": "US"}, "country"),
        ({"country": "XX"}, "country"),
        ({"citizenship_country": "ZZ"}, "citizenship_country"),
        ({"date_of_birth": "27/04/1990"}, "date_of_birth"),
        ({"treaty_country": "", "treaty_article": "Article 7"}, "treaty_country"),
        ({"tax_id": "$$$"}, "tax_id"),
    ],
)
def test_a_bad_w8ben_is_refused_by_field(
    session: Session, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidTaxProfile) as refused:
        save(session, make_expert(session), **{**W8, **changes})

    assert refused.value.field == field


def test_an_update_without_a_tin_keeps_the_stored_one(session: Session) -> None:
    expert = make_expert(session)
    save(session, expert, **W9)

    view = save(session, expert, **{**W9, "tax_id": "", "city": "Chicago"})

    assert (view.city, view.tin_last4) == ("Chicago", "6789")
    with pytest.raises(InvalidTaxProfile) as refused:
        save(session, expert, **{**W9, "tax_id": "", "tin_type": "ein"})
    assert refused.value.message == "Enter your EIN."


def test_staff_see_the_profile_masked_and_only_of_their_experts(session: Session) -> None:
    brand, other = make_brand(session), make_brand(session)
    expert = make_expert(session, programs=[make_program(session, brand)])
    save(session, expert, **W9)

    seen = payments_service.tax_profile_of(session, staff(session, brand), expert.id)

    assert seen is not None and seen.tin_last4 == "6789"
    assert "123-45-6789" not in repr(seen)
    with pytest.raises(PermissionDenied):
        payments_service.tax_profile_of(session, staff(session, other), expert.id)


def test_thresholds_are_dated_and_extend_through_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = {year: payments_service.reporting_threshold(year).amount for year in (2024, 2025)}
    in_2026 = payments_service.reporting_threshold(2026)
    unset_2027 = payments_service.reporting_threshold(2027)
    monkeypatch.setenv("GIGCX_TAX_REPORT_THRESHOLDS", "2027=2100")
    get_settings.cache_clear()
    try:
        set_2027 = payments_service.reporting_threshold(2027)
        monkeypatch.setenv("GIGCX_TAX_REPORT_THRESHOLDS", "2027:2100")
        get_settings.cache_clear()
        with pytest.raises(InvalidInput) as bad:
            payments_service.reporting_threshold(2027)
    finally:
        monkeypatch.delenv("GIGCX_TAX_REPORT_THRESHOLDS")
        get_settings.cache_clear()

    assert before == {2024: Decimal(600), 2025: Decimal(600)}
    assert in_2026.amount == Decimal(2000)
    assert "\N{SECTION SIGN}70433" in in_2026.source
    assert unset_2027.amount == Decimal(2000)
    assert "no figure set for 2027 yet" in unset_2027.source
    assert (set_2027.since, set_2027.amount) == (2027, Decimal(2100))
    assert "is not YEAR=AMOUNT" in bad.value.detail


def add_payout(
    session: Session, expert: Expert, brand_id: object, amount: str, at: datetime, currency: str
) -> None:
    session.add(
        Payout(
            week=f"{at.year}-W{at.isocalendar()[1]:02d}",
            expert_id=expert.id,
            brand_id=brand_id,
            currency=currency,
            cutoff=at,
            total=Decimal(amount),
            line_count=1,
            created_at=at,
        )
    )
    session.flush()


def test_the_report_sums_usd_payouts_per_payer_and_flags_missing_profiles(
    session: Session,
) -> None:
    brand, other = make_brand(session), make_brand(session)
    ana, bo, cy = (make_expert(session) for _ in range(3))
    save(session, ana, **W9)
    for month in (3, 9):
        add_payout(session, ana, brand.id, "1000.00", datetime(2026, month, 2, tzinfo=UTC), "USD")
    add_payout(session, bo, brand.id, "2500.50", datetime(2026, 5, 4, tzinfo=UTC), "USD")
    add_payout(session, cy, brand.id, "1999.99", datetime(2026, 5, 4, tzinfo=UTC), "USD")
    add_payout(session, cy, brand.id, "9000.00", datetime(2026, 6, 1, tzinfo=UTC), "EUR")
    add_payout(session, cy, brand.id, "5000.00", datetime(2025, 12, 31, 23, tzinfo=UTC), "USD")
    add_payout(session, bo, other.id, "3000.00", datetime(2026, 7, 6, tzinfo=UTC), "USD")

    report = payments_service.tax_report(session, staff(session, brand), year=2026)

    lines = [(x.expert_id, x.total, x.payouts, x.is_missing_profile) for x in report.lines]
    assert report.threshold.amount == Decimal(2000)
    assert lines == [
        (bo.id, Decimal("2500.50"), 1, True),
        (ana.id, Decimal("2000.00"), 2, False),
    ]
    assert report.missing_profiles == 1
    assert report.other_currencies == {"EUR": Decimal("9000.00")}
    assert report.lines[1].tin_masked.endswith("6789")
    csv_text = payments_service.tax_report_csv(report)
    assert "123-45-6789" not in csv_text
    assert csv_text.splitlines()[2].endswith(",USD,2000.00,2,2000.00,no,yes")


def test_a_brand_sees_only_its_own_report(session: Session) -> None:
    brand, other = make_brand(session), make_brand(session)

    with pytest.raises(NotFound) as refused:
        payments_service.tax_report(session, staff(session, brand), year=2026, payer=other.slug)

    assert refused.value.detail == "no such payer: a brand sees its own report only"
