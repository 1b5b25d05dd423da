"""The marketplace loop through PgBouncer in transaction mode: API, job runner, locks."""

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from gigcx.app import create_app
from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditEvent
from gigcx.db import migrate
from gigcx.db.dialect import serialize
from gigcx.db.session import open_session, unit_of_work
from gigcx.jobs import runner
from gigcx.jobs.models import Job
from tests.api.helpers import build_marketplace, ticket_body

SRC = Path(__file__).resolve().parents[2] / "src" / "gigcx"
# Session-level state a pooler in transaction mode would carry over to other clients, or lose.
SESSION_STATE = (
    "pg_advisory_lock(",
    "pg_try_advisory_lock(",
    "pg_advisory_unlock",
    "SET SESSION",
    "LISTEN ",
    "CREATE TEMP",
    "WITH HOLD",
    "PREPARE ",
)
# The change listener LISTENs on a connection of its own, at a direct address
# (GIGCX_DATABASE_LISTEN_URL), never through the pooler: tests/pgbouncer/test_live_notify.py.
DIRECT_CONNECTIONS = {("db/fanout.py", "LISTEN ")}


@pytest.mark.postgres
def test_the_whole_loop_runs_through_the_pooler(
    pooled_engine: Engine, pooled_factory: sessionmaker[Session]
) -> None:
    assert_at_head(pooled_factory)
    app = create_app(pooled_factory, run_jobs=False)
    with TestClient(app) as client, pooled_factory() as session:
        market = build_marketplace(client, session, experts=1)
        expert = market.experts[0]
        created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
        ticket_id = created.json()["id"]
        offers = client.get("/api/v1/offers", headers=expert).json()
        accepted = client.post(f"/api/v1/offers/{offers[0]['id']}/accept", headers=expert)
        reply = client.post(
            f"/api/v1/tickets/{ticket_id}/messages", json={"body": "Refunded."}, headers=expert
        )
        resolved = client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert)
        stats = runner.run_until_idle(pooled_factory)
        explained = client.get(f"/api/v1/tickets/{ticket_id}/offers", headers=market.brand_admin)

    with unit_of_work(pooled_factory) as session:
        sealed = audit_service.seal(session)
    with pooled_factory() as session:
        unsealed = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.chain_hash.is_(None))
        )
        failed = session.scalar(
            select(func.count()).select_from(Job).where(Job.last_error.is_not(None))
        )

    assert created.status_code == 201, created.text
    assert created.json()["status"] == "offered"
    assert [o["ticket_id"] for o in offers] == [ticket_id]
    assert accepted.status_code == 200, accepted.text
    assert reply.status_code == 201, reply.text
    assert resolved.json()["status"] == "resolved"
    assert stats.done > 0
    assert (stats.failed, stats.lost) == (0, 0)
    assert failed == 0
    assert [o["status"] for o in explained.json()] == ["accepted"]
    assert sealed > 0
    assert unsealed == 0


def assert_at_head(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        assert migrate.current_revision(session) == migrate.head_revision()


@pytest.mark.postgres
def test_a_transaction_lock_holds_until_commit_through_the_pooler(
    pooled_factory: sessionmaker[Session],
) -> None:
    key = "pgbouncer-lane"
    taken = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with unit_of_work(pooled_factory) as session:
            serialize(session, key)
            taken.set()
            release.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait()
    try:
        while_held = try_lock(pooled_factory, key)
    finally:
        release.set()
        holder.join()
    after_commit = try_lock(pooled_factory, key)

    assert while_held is False
    assert after_commit is True


def try_lock(factory: sessionmaker[Session], key: str) -> bool:
    with open_session(factory, writes=True) as session:
        statement = text("SELECT pg_try_advisory_xact_lock(hashtext(:key))")
        got = bool(session.scalar(statement, {"key": key}))
        session.commit()
        return got


def test_no_code_keeps_state_in_the_database_session() -> None:
    found = [
        f"{path.relative_to(SRC)}: {needle}"
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
        for needle in SESSION_STATE
        if needle in path.read_text()
        and (str(path.relative_to(SRC)), needle) not in DIRECT_CONNECTIONS
    ]

    assert found == []
