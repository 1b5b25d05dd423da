"""The request's unit of work: refusals commit nothing; reads never wait for SQLite's writers."""

from pathlib import Path

from fastapi import Request
from fastapi.responses import Response
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.api.deps import SessionDep
from gigcx.app import create_app
from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditEvent
from gigcx.auth import service as auth_service
from gigcx.auth.models import ApiKey
from gigcx.auth.principal import SYSTEM
from gigcx.db import migrate
from gigcx.db.session import make_engine, transaction_options, unit_of_work
from gigcx.kit.ids import new_id
from gigcx.web.deps import render
from tests.factories.brands import make_brand, make_program

SUBJECT = new_id()


def note(session: Session, action: str) -> None:
    audit_service.record(
        session, actor=SYSTEM, action=action, subject_type="test", subject_id=SUBJECT, brand_id=None
    )
    session.flush()


def test_a_request_answered_with_an_error_page_commits_nothing_it_flushed(
    session: Session, factory: sessionmaker[Session]
) -> None:
    app = create_app(factory, run_jobs=False)

    # Two endpoints written as web routes are: change something, then answer with a page.
    @app.post("/test/refused")
    def refused(request: Request, session: SessionDep) -> Response:
        note(session, "test.refused")
        context = {"status_code": 409, "detail": "refused after a write", "user": None}
        return render(request, "error.html", context, status_code=409)

    @app.post("/test/accepted")
    def accepted(request: Request, session: SessionDep) -> Response:
        note(session, "test.accepted")
        context = {"status_code": 200, "detail": "fine", "user": None}
        return render(request, "error.html", context)

    with TestClient(app) as client:
        answers = (client.post("/test/refused"), client.post("/test/accepted"))

    assert [a.status_code for a in answers] == [409, 200]
    assert "refused after a write" in answers[0].text
    statement = select(AuditEvent.action).where(AuditEvent.subject_id == SUBJECT)
    assert list(session.scalars(statement)) == ["test.accepted"]


def test_on_sqlite_a_reading_request_does_not_wait_while_another_transaction_writes(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'gigcx.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(
        bind=engine, expire_on_commit=False, execution_options=transaction_options(writes=False)
    )
    with unit_of_work(factory) as setup:
        brand = make_brand(setup)
        program = make_program(setup, brand)
        plain, key = auth_service.create_api_key(setup, brand_id=brand.id, name="reader")
    headers = {"Authorization": f"Bearer {plain}"}
    app = create_app(factory, run_jobs=False)

    with TestClient(app) as client, engine.connect() as writer:
        # Another unit of work writes and has not committed: it holds SQLite's write lock.
        transaction = writer.begin()
        with Session(bind=writer) as writing:
            note(writing, "test.writer")
            while_writing = client.get("/api/v1/programs", headers=headers)
            transaction.rollback()
        with unit_of_work(factory, writes=False) as check:
            used_while_writing = check.get_one(ApiKey, key.id).last_used_at
        afterwards = client.get("/api/v1/programs", headers=headers)
        with unit_of_work(factory, writes=False) as check:
            used_afterwards = check.get_one(ApiKey, key.id).last_used_at
    engine.dispose()

    assert while_writing.status_code == 200, while_writing.text
    assert [p["id"] for p in while_writing.json()["items"]] == [str(program.id)]
    # Noting the key's use needs the write lock: a later request notes it instead.
    assert used_while_writing is None
    assert afterwards.status_code == 200
    assert used_afterwards is not None


def test_a_database_that_takes_no_connection_answers_503_with_a_detail() -> None:
    # Nothing listens on port 1: psycopg's "connection failed", as when the server refuses
    # more clients ("too many clients already", seen under bench/load.py).
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/gigcx")
    app = create_app(sessionmaker(bind=engine), run_jobs=False)

    with TestClient(app) as client:
        answer = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer not-checked"})

    assert answer.status_code == 503
    assert answer.json()["detail"] == (
        "the database is not taking connections right now; nothing was changed, "
        "try again in a moment"
    )
    engine.dispose()


def test_a_pool_with_no_free_connection_answers_503_with_a_detail(tmp_path: Path) -> None:
    engine = create_engine(
        f"sqlite:///{tmp_path / 'pool.db'}", pool_size=1, max_overflow=0, pool_timeout=0.05
    )
    app = create_app(sessionmaker(bind=engine), run_jobs=False)

    with engine.connect(), TestClient(app) as client:  # the pool's one connection is taken
        answer = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer not-checked"})

    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("the database is not taking connections")
    engine.dispose()
