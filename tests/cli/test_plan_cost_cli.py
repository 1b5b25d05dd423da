"""gigcx plan cost against a temporary SQLite database."""

import json
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from gigcx.planning import service as planning_service
from gigcx.planning.cost_schemas import CostBaselineIn
from tests.cli.test_cli import database, invoke
from tests.factories.brands import brand_admin, make_brand, make_program


def test_plan_cost_prints_costs_and_moves_as_json_and_refuses_unknown_brands(
    tmp_path: Path,
) -> None:
    with database(tmp_path / "cost.db") as engine:
        assert invoke("db", "upgrade").exit_code == 0
        with Session(engine) as session:
            brand = make_brand(session, currency="EUR")
            program = make_program(session, brand, gig_categories=("billing",))
            make_program(session, brand)
            planning_service.save_baseline(
                session,
                brand_admin(brand),
                program.id,
                CostBaselineIn(
                    hourly_cost=Decimal("30.00"),
                    utilisation=Decimal("0.85"),
                    shrinkage=Decimal("0.30"),
                    aht_seconds=180,
                    service_level_target=Decimal("0.80"),
                    answer_within_seconds=20,
                    hours_open_per_month=200,
                    categories={"billing": {"monthly_volume": 40000}},
                ),
            )
            slug, program_slug = brand.slug, program.slug
            session.commit()
        result = invoke("plan", "cost", "--brand", slug, "--json")
        table = invoke("plan", "cost", "--brand", slug, "--program", program_slug)
        unknown = invoke("plan", "cost", "--brand", "nobody")

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["without_baseline"]) == 1
    [found] = data["plans"]
    billing = next(c for c in found["categories"] if c["category"] == "billing")
    assert (billing["agents"], billing["scheduled"], billing["inhouse_per_contact"]) == (
        14,
        20,
        "3.00",
    )
    assert [p["category"] for p in found["proposals"]] == ["billing"]
    assert found["kept"] == [
        {"category": "legal", "why": "the program keeps this category in house"}
    ]
    assert table.exit_code == 0, table.output
    assert "Move first" in table.output
    assert unknown.exit_code == 1
    assert "no brand with the slug 'nobody'" in unknown.output
