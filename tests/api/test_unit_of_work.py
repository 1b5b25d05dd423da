from typing import cast

from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.app import create_app
from gigcx.experts.models import Expert
from tests.api.helpers import PASSWORD


class FailingCommitSession(Session):
    def commit(self) -> None:
        raise RuntimeError("the database went away at commit")


def test_a_failed_commit_is_never_reported_as_success(connection: Connection) -> None:
    factory = cast(
        "sessionmaker[Session]",
        sessionmaker(
            bind=connection, class_=FailingCommitSession, join_transaction_mode="create_savepoint"
        ),
    )
    client = TestClient(create_app(factory, run_jobs=False), raise_server_exceptions=False)
    body = {
        "email": "late@example.com",
        "password": PASSWORD,
        "display_name": "Late Commit",
        "country": "de",
        "timezone": "Europe/Berlin",
        "languages": {"en": 5},
    }

    response = client.post("/api/v1/experts", json=body)

    assert response.status_code == 500
    with Session(bind=connection) as session:
        assert session.scalar(select(func.count()).select_from(Expert)) == 0
