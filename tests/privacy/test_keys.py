"""Master keys, the KMS hook and key rotation (SQLite and PostgreSQL)."""

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

import gigcx.models  # noqa: F401  (every encrypted table)
from gigcx.cli.main import app
from gigcx.config import get_settings
from gigcx.db import migrate
from gigcx.db.session import get_engine, make_engine, unit_of_work
from gigcx.privacy import keys, reseal, rotation, sealing
from gigcx.privacy.errors import KeyringError
from gigcx.privacy.models import DataKey
from gigcx.tickets.models import Attachment, Customer, Ticket
from tests.conftest import TEST_MASTER_KEYS
from tests.factories.brands import make_brand, make_program
from tests.factories.tickets import make_ticket

NEW_PRIMARY = "test3:" + base64.b64encode(b"test-master-key-three-32-bytes!!").decode()
_KMS_KEY = AESGCM(b"k" * 32)


def fake_kms(operation: str, data: bytes, *, kek_id: str | None) -> tuple[str, bytes]:
    """A stand-in KMS: wraps with its own key, as a vault would."""
    if operation == "wrap":
        return "kms-test", b"n" * 12 + _KMS_KEY.encrypt(b"n" * 12, data, b"gigcx")
    assert kek_id == "kms-test"
    return kek_id, _KMS_KEY.decrypt(data[:12], data[12:], b"gigcx")


@contextmanager
def configured(monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[None]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    keys.reset_caches()
    try:
        yield
    finally:
        for name in env:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("GIGCX_ENCRYPTION_KEYS", TEST_MASTER_KEYS)
        get_settings.cache_clear()
        keys.reset_caches()


def stored_key_ids(session: Session) -> set[str]:
    found: set[str] = set()
    for target in reseal.registered_targets():
        for name, _ in target.columns:
            for value in session.execute(select(target.table.c[name])).scalars():
                key_id = sealing.key_id_of(value)
                if key_id:
                    found.add(key_id)
    return found


def seed(session: Session) -> Ticket:
    program = make_program(session, make_brand(session))
    ticket = make_ticket(session, program, route=False, subject="Lost parcel")
    for _ in range(3):
        make_ticket(session, program, route=False)
    session.add(
        Attachment(
            ticket_id=ticket.id,
            filename="a.png",
            content_type="image/png",
            size=3,
            sha256="0" * 64,
            data=b"png",
        )
    )
    session.flush()
    return ticket


def test_master_keys_are_read_in_order_and_checked() -> None:
    parsed = keys.parse_master_keys(TEST_MASTER_KEYS, source="test")
    assert list(parsed) == ["test2", "test1"]
    with pytest.raises(KeyringError, match="base64 of 32 bytes"):
        keys.parse_master_keys("k1:" + base64.b64encode(b"short").decode(), source="test")
    generated = keys.generate_master_key("k9")
    assert list(keys.parse_master_keys(generated, source="test")) == ["k9"]


def test_a_kms_hook_wraps_and_unwraps_data_keys(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    with configured(monkeypatch, GIGCX_KMS_HOOK="tests.privacy.test_keys:fake_kms"):
        ticket = seed(session)
        brand_key = session.scalar(
            select(DataKey).where(DataKey.brand_id == ticket.brand_id, DataKey.purpose == "data")
        )
        assert brand_key is not None and brand_key.kek_id == "kms-test"
        keys.reset_caches()  # unwrap through the hook, not the cache
        session.expunge_all()
        assert session.get_one(Ticket, ticket.id).subject == "Lost parcel"
        # Moving every key into the KMS: rewrap, then the local master keys can go.
        rotation.rotate(session.connection(), reencrypt=False)
        assert set(session.scalars(select(DataKey.kek_id))) == {"kms-test"}
        monkeypatch.delenv("GIGCX_ENCRYPTION_KEYS")
        get_settings.cache_clear()
        keys.reset_caches()
        session.expunge_all()
        assert session.get_one(Ticket, ticket.id).subject == "Lost parcel"


def test_rotation_moves_every_value_to_new_keys_and_resumes(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = seed(session)
    connection = session.connection()
    old_keys = stored_key_ids(session)
    assert old_keys
    with configured(monkeypatch, GIGCX_ENCRYPTION_KEYS=f"{NEW_PRIMARY},{TEST_MASTER_KEYS}"):
        monkeypatch.setattr(reseal, "BATCH", 2)
        batches = 0

        def stop_after_two(rows: int) -> None:
            nonlocal batches
            batches += 1
            if batches == 2:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            rotation.rotate(connection, on_batch=stop_after_two)
        assert stored_key_ids(session) & old_keys, "the interrupted run left some behind"
        assert set(session.scalars(select(DataKey.kek_id))) == {"test3"}

        report = rotation.rotate(connection)
        assert report.resumed and report.resealed > 0 and report.left_on_retired == 0
        assert not stored_key_ids(session) & old_keys
        retired = rotation.retired_key_ids(connection)
        assert old_keys <= retired
        # Still readable with the new keys only, and the rows moved before were skipped.
        keys.reset_caches()
        session.expunge_all()
        assert session.get_one(Ticket, ticket.id).subject == "Lost parcel"
        assert session.get_one(Customer, ticket.customer_id).email.endswith("@example.com")
        again = rotation.rotate(connection, reencrypt=False)
        assert again.rewrapped == 0


def test_keys_cli_generates_and_reports() -> None:
    result = CliRunner().invoke(app, ["keys", "generate", "--id", "k7"])
    assert result.exit_code == 0
    assert list(keys.parse_master_keys(result.stdout.strip(), source="cli")) == ["k7"]


def test_keys_cli_rotates_a_database_and_counts_its_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with unit_of_work(factory) as session:
        ticket_id = seed(session).id
    monkeypatch.setenv("GIGCX_DATABASE_URL", url)
    runner = CliRunner()
    try:
        with configured(monkeypatch, GIGCX_ENCRYPTION_KEYS=f"{NEW_PRIMARY},{TEST_MASTER_KEYS}"):
            get_engine.cache_clear()
            before = runner.invoke(app, ["keys", "status"], env={"COLUMNS": "200"})
            assert before.exit_code == 0, before.output
            assert "primary master key: test3" in before.output and "test2" in before.output
            rotated = runner.invoke(app, ["keys", "rotate"], env={"COLUMNS": "200"})
            assert rotated.exit_code == 0, rotated.output
            assert "no value is left on a retired key" in rotated.output
            after = runner.invoke(app, ["keys", "status"], env={"COLUMNS": "200"})
            assert "test2" not in after.output and "retired" in after.output
            keys.reset_caches()
            with factory() as session:
                assert session.get_one(Ticket, ticket_id).subject == "Lost parcel"
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
        engine.dispose()
