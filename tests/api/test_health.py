from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from gigcx.app import create_app
from gigcx.db import migrate
from gigcx.db.session import make_engine
from gigcx.jobs import runner


def test_ready_when_the_database_answers_at_the_newest_revision(client: TestClient) -> None:
    ready = client.get("/readyz")

    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "revision": migrate.head_revision()}
    assert client.get("/healthz").json() == {"status": "ok"}


def test_not_ready_before_the_migrations_ran(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    app = create_app(sessionmaker(bind=engine), run_jobs=False)
    with TestClient(app) as client:
        ready = client.get("/readyz")
        alive = client.get("/healthz")
    engine.dispose()

    assert ready.status_code == 503
    assert ready.json() == {
        "detail": (
            f"the database has no schema yet, the code needs {migrate.head_revision()}; "
            "run `gigcx db upgrade`"
        )
    }
    assert alive.status_code == 200


def test_not_ready_when_the_database_does_not_answer(tmp_path: Path) -> None:
    # A directory where the database file should be: SQLite cannot open it.
    engine = make_engine(f"sqlite:///{tmp_path}")
    app = create_app(sessionmaker(bind=engine), run_jobs=False)
    with TestClient(app) as client:
        ready = client.get("/readyz")
    engine.dispose()

    assert ready.status_code == 503
    assert ready.json()["detail"] == (
        "the database does not answer; check GIGCX_DATABASE_URL and the server"
    )


def test_not_ready_when_the_job_runner_of_the_process_stopped(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    # Made and never started: a runner thread that is not alive.
    client.app.state.job_runner = runner.RunnerThread(factory, poll_seconds=1)  # type: ignore[attr-defined]

    ready = client.get("/readyz")

    assert ready.status_code == 503
    assert ready.json() == {
        "detail": "the job runner of this process has stopped; restart the process"
    }
