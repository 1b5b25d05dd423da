"""gigcx tax report against its own temporary SQLite database."""

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gigcx.auth.principal import SYSTEM
from gigcx.brands import service as brands_service
from gigcx.brands.schemas import BrandCreate
from gigcx.experts.models import Expert
from gigcx.payments.enums import TaxForm, TinType
from gigcx.payments.models import Payout, TaxProfile
from tests.cli.test_cli import database, invoke


@pytest.fixture
def report_db(tmp_path: Path) -> Iterator[Engine]:
    with database(tmp_path / "tax.db") as engine:
        assert invoke("db", "upgrade").exit_code == 0
        with Session(engine) as session:
            brands = [
                brands_service.create_brand(
                    session,
                    SYSTEM,
                    BrandCreate(
                        name=f"Shop {slug}",
                        slug=slug,
                        currency="USD",
                        admin_email=f"admin@{slug}.example.com",
                        admin_password="correct horse battery",
                    ),
                )
                for slug in ("north", "south")
            ]
            experts = [
                Expert(
                    display_name=name, email=f"{name}@x.example.com", country="US", timezone="UTC"
                )
                for name in ("ana", "bo")
            ]
            session.add_all(experts)
            session.flush()
            when = datetime(2026, 6, 1, tzinfo=UTC)
            for expert, brand, amount in (
                (experts[0], brands[0], "2100.00"),
                (experts[1], brands[0], "1500.00"),
                (experts[1], brands[1], "2000.00"),
            ):
                session.add(
                    Payout(
                        week="2026-W23",
                        expert_id=expert.id,
                        brand_id=brand.id,
                        currency="USD",
                        cutoff=when,
                        total=Decimal(amount),
                        line_count=1,
                        created_at=when,
                    )
                )
            session.add(
                TaxProfile(
                    expert_id=experts[0].id,
                    form=TaxForm.W9,
                    legal_name="Ana Legal",
                    street="1 Main St",
                    city="Springfield",
                    region="IL",
                    postal_code="62701",
                    country="US",
                    tin_type=TinType.SSN,
                    tax_id="123-45-6789",
                    signature_name="Ana Legal",
                    certified_at=when,
                    updated_at=when,
                )
            )
            session.commit()
        yield engine


def test_tax_report_lists_each_payers_experts_at_the_threshold_and_writes_csv(
    report_db: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "report.csv"

    everyone = invoke("tax", "report", "--year", "2026", "--csv", str(out))
    north = invoke("tax", "report", "--year", "2026", "--payer", "north")
    old = invoke("tax", "report", "--year", "2025")

    assert everyone.exit_code == 0, everyone.output
    assert "Payments in 2026 at or above USD 2,000.00" in everyone.output
    assert "experts at or above it: 2 · missing tax profiles: 1" in everyone.output
    assert "123-45-6789" not in everyone.output
    rows = out.read_text().splitlines()
    assert rows[0].startswith("year,payer,expert_id,expert,legal_name,form,tin,")
    assert [row.split(",")[1] for row in rows[1:]] == ["north", "south"]
    masked = "SSN " + "\N{BULLET}" * 4 + "6789"
    assert rows[1].endswith(f",Ana Legal,w9,{masked},USD,2100.00,1,2000.00,no,yes")
    assert north.exit_code == 0
    assert "experts at or above it: 1 · missing tax profiles: 0" in north.output
    assert old.exit_code == 0
    assert "Payments in 2025 at or above USD 600.00" in old.output
    assert "experts at or above it: 0" in old.output


def test_tax_report_names_an_unknown_payer(report_db: Engine) -> None:
    result = invoke("tax", "report", "--year", "2026", "--payer", "west")

    assert result.exit_code == 1
    assert "no brand has the slug 'west'" in result.output
