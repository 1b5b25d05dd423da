"""gigcx audit verify and export against a temporary SQLite database."""

import csv
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditEvent
from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Brand
from tests.cli.test_cli import database, invoke
from tests.factories.brands import make_brand


@pytest.fixture
def brand_db(tmp_path: Path) -> Iterator[tuple[Engine, uuid.UUID]]:
    with database(tmp_path / "audit.db") as engine:
        assert invoke("db", "upgrade").exit_code == 0
        with Session(engine) as session:
            brand = make_brand(session)
            brand_id = brand.id
            for n in range(3):
                audit_service.record(
                    session,
                    actor=SYSTEM,
                    action="test.happened",
                    subject_type="brand",
                    subject_id=brand.id,
                    brand_id=brand.id,
                    data={"n": n, "note": '=HYPERLINK("http://evil.example")'},
                )
            session.commit()
        yield engine, brand_id


def slug(engine: Engine, brand_id: uuid.UUID) -> str:
    with Session(engine) as session:
        return session.get_one(Brand, brand_id).slug


def test_verify_seals_new_events_and_finds_every_chain_intact(
    brand_db: tuple[Engine, uuid.UUID],
) -> None:
    engine, brand_id = brand_db

    result = invoke("audit", "verify")

    assert result.exit_code == 0, result.output
    assert "sealed 4 new event(s)" in result.output  # brand.created and three
    assert "every audit chain is intact" in result.output
    with Session(engine) as session:
        seqs = session.scalars(
            select(AuditEvent.seq).where(AuditEvent.brand_id == brand_id).order_by(AuditEvent.seq)
        ).all()
    assert seqs == [1, 2, 3, 4]


def test_verify_names_the_first_changed_event_and_exits_1(
    brand_db: tuple[Engine, uuid.UUID],
) -> None:
    engine, brand_id = brand_db
    assert invoke("audit", "seal").exit_code == 0
    with Session(engine) as session:
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.chain == str(brand_id), AuditEvent.seq == 4)
            .values(actor_role="brand_admin")
        )
        session.commit()

    result = invoke("audit", "verify", "--brand", slug(engine, brand_id))

    assert result.exit_code == 1
    assert f"audit chain {brand_id} is broken at sequence number 4" in result.output
    assert "broken at 4: the event was changed after it was written" in result.output


def test_export_writes_the_brands_events_with_formulas_neutralised(
    brand_db: tuple[Engine, uuid.UUID], tmp_path: Path
) -> None:
    engine, brand_id = brand_db
    out = tmp_path / "audit.csv"

    result = invoke("audit", "export", "--brand", slug(engine, brand_id), "--out", str(out))

    assert result.exit_code == 0, result.output
    assert "wrote 4 event(s)" in result.output
    with out.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [r["action"] for r in rows] == [
        "brand.created",
        "test.happened",
        "test.happened",
        "test.happened",
    ]
    assert rows[1]["data"] == '{"n": 0, "note": "=HYPERLINK(\\"http://evil.example\\")"}'
    with Session(engine) as session:
        exported = session.scalars(
            select(AuditEvent.data).where(AuditEvent.action == "audit.exported")
        ).all()
    assert [d["events"] for d in exported] == [4]


def test_a_platform_admin_made_from_the_command_line_is_audited(tmp_path: Path) -> None:
    with database(tmp_path / "admin.db") as engine:
        assert invoke("db", "upgrade").exit_code == 0

        result = invoke(
            "users", "create-admin", "--email", "ops@example.com", "--password", "pw-12345"
        )

        assert result.exit_code == 0, result.output
        with Session(engine) as session:
            [event] = session.scalars(select(AuditEvent)).all()
        assert (event.action, event.actor_role, event.brand_id) == ("admin.created", "system", None)
        assert "ops@example.com" not in str(event.data)
