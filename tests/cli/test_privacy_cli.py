"""gigcx privacy export|erase|retention against a temporary SQLite database."""

import json
import zipfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.db.session import unit_of_work
from gigcx.rights.models import LegalHold, PrivacyRequest
from gigcx.tickets.models import Customer
from tests.cli.test_cli import database, invoke
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.tickets import make_ticket


def _setup(path: Path) -> tuple[str, str]:
    assert invoke("db", "upgrade").exit_code == 0
    with unit_of_work() as session:
        brand = make_brand(session)
        program = make_program(session, brand)
        make_ticket(
            session, program, route=False, customer={"email": "dee@example.com", "name": "Dee Ray"}
        )
        expert = make_expert(session, programs=[program])
        return brand.slug, expert.email


def _customer(session: Session) -> Customer:
    customer: Customer | None = session.scalar(select(Customer))
    assert customer is not None
    return customer


def test_export_then_erase_a_customer_from_the_command_line(tmp_path: Path) -> None:
    with database(tmp_path / "privacy.db"):
        slug, _ = _setup(tmp_path)
        out = tmp_path / "dee.zip"

        exported = invoke(
            "privacy", "export", "--brand", slug, "--email", "dee@example.com", "--out", str(out)
        )
        mistyped = invoke(
            "privacy",
            "erase",
            "--brand",
            slug,
            "--email",
            "dee@example.com",
            prompt="dee@example.co\n",
        )
        with unit_of_work() as session:
            assert _customer(session).email == "dee@example.com"
        erased = invoke(
            "privacy",
            "erase",
            "--brand",
            slug,
            "--email",
            "dee@example.com",
            prompt="DEE@example.com\n",
        )
        unknown = invoke("privacy", "erase", "--brand", slug, "--email", "dee@example.com", "--yes")

        assert exported.exit_code == 0, exported.output
        customer_json = json.loads(zipfile.ZipFile(out).read("customer.json"))
        assert customer_json["email"] == "dee@example.com"
        assert mistyped.exit_code == 1 and "nothing was erased" in mistyped.output
        assert erased.exit_code == 0, erased.output
        assert "Erased (customer" in erased.output
        assert unknown.exit_code == 1 and "no customer of this brand" in unknown.output
        with unit_of_work() as session:
            customer = _customer(session)
            assert customer.email == f"erased-{customer.id.hex}@erased.invalid"
            kinds = sorted(r.kind for r in session.scalars(select(PrivacyRequest)))
            assert kinds == ["erasure", "export"]


def test_erase_refuses_a_held_customer_and_retention_reports_a_dry_run(tmp_path: Path) -> None:
    with database(tmp_path / "held.db"):
        slug, expert_email = _setup(tmp_path)
        with unit_of_work() as session:
            customer = _customer(session)
            session.add(
                LegalHold(
                    brand_id=customer.brand_id,
                    customer_id=customer.id,
                    reason="Court order 12",
                    set_by_role="brand_admin",
                )
            )

        held = invoke("privacy", "erase", "--brand", slug, "--email", "dee@example.com", "--yes")
        dry = invoke("privacy", "retention", "--brand", slug, "--dry-run")
        no_brand = invoke("privacy", "retention", "--brand", "nope")
        both = invoke(
            "privacy", "export", "--expert", expert_email, "--brand", slug, "--out", "x.zip"
        )
        expert_zip = tmp_path / "expert.zip"
        expert = invoke("privacy", "export", "--expert", expert_email, "--out", str(expert_zip))
        expert_erased = invoke("privacy", "erase", "--expert", expert_email, "--yes")

        assert held.exit_code == 1 and "Court order 12" in held.output
        assert dry.exit_code == 0 and "what would go" in dry.output
        assert "no retention periods set" in dry.output
        assert no_brand.exit_code == 1 and "no brand with the slug 'nope'" in no_brand.output
        assert both.exit_code == 1 and "either --expert" in both.output
        assert expert.exit_code == 0, expert.output
        assert json.loads(zipfile.ZipFile(expert_zip).read("expert.json"))["email"] == expert_email
        assert expert_erased.exit_code == 0, expert_erased.output
        assert "kept, as tax and pay law require" in expert_erased.output
        with unit_of_work() as session:
            assert _customer(session).email == "dee@example.com"
