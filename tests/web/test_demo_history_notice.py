"""The pages that depend on the demo's history say while it is written, or where it stopped."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gigcx.demo import staged
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from tests.api.helpers import build_marketplace
from tests.web.helpers import web_sign_in

WRITING = "The demo is still writing its two weeks of history: 42 of 300 tickets so far."
STOPPED = "The demo's history stopped at 42 of 300 tickets"


def _history(session: Session, *, status: JobStatus) -> None:
    job_id = staged.begin_history(session, total=300, holder="test")
    job = session.get_one(Job, job_id)
    job.payload = {"done": 42, "total": 300}
    job.status = status
    session.flush()


def test_the_dashboard_and_planning_say_the_history_is_being_written(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    web_sign_in(client, market.brand_admin_email)
    _history(session, status=JobStatus.RUNNING)

    pages = [client.get("/brand"), client.get("/brand/planning")]

    assert [page.status_code for page in pages] == [200, 200]
    assert all(WRITING in page.text for page in pages)


def test_the_dashboard_says_where_an_interrupted_history_stopped(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    web_sign_in(client, market.brand_admin_email)
    _history(session, status=JobStatus.DEAD)

    page = client.get("/brand")

    assert page.status_code == 200
    assert STOPPED in page.text
    assert WRITING not in page.text


def test_without_a_staged_demo_there_is_no_notice(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session)
    web_sign_in(client, market.brand_admin_email)

    page = client.get("/brand")

    assert page.status_code == 200
    assert "The demo is still writing" not in page.text
    assert "The demo's history stopped" not in page.text
