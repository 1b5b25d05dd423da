"""The server's job runner stops gracefully: the job in progress finishes, no new one starts."""

import threading
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from gigcx.app import create_app
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.jobs.registry import handler
from gigcx.kit import clock

STARTED = threading.Event()
RELEASE = threading.Event()


@handler("test.hold_until_released")
def hold_until_released(_session: Session, payload: dict[str, Any]) -> None:
    if payload["hold"]:
        STARTED.set()
        RELEASE.wait()


def test_stopping_the_server_finishes_the_job_in_progress_and_claims_no_other(
    session: Session, factory: sessionmaker[Session]
) -> None:
    STARTED.clear()
    RELEASE.clear()
    now = clock.now()
    held = jobs_service.enqueue(
        session, "test.hold_until_released", {"hold": True}, run_at=now - timedelta(minutes=1)
    )
    waiting = jobs_service.enqueue(session, "test.hold_until_released", {"hold": False})
    session.commit()
    app = create_app(factory, run_jobs=True)
    client = TestClient(app)
    client.__enter__()
    STARTED.wait()
    stopping = threading.Thread(target=client.__exit__, args=(None, None, None))
    stopping.start()
    # The server is stopping (its runner told to claim no more) while the job still runs.
    app.state.job_runner.stop.wait()
    RELEASE.set()
    stopping.join()
    session.expire_all()

    assert app.state.job_runner.is_alive() is False
    assert session.get(Job, held.id).status == JobStatus.DONE  # type: ignore[union-attr]
    assert session.get(Job, waiting.id).status == JobStatus.QUEUED  # type: ignore[union-attr]
