"""A request that waits too long for a row lock answers 503 and changes nothing (PostgreSQL)."""

from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from gigcx.app import create_app
from gigcx.config import get_settings
from gigcx.db.session import make_engine, transaction_options
from tests.api.helpers import build_marketplace, ticket_body


@pytest.fixture
def short_lock_waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("GIGCX_REQUEST_LOCK_TIMEOUT_SECONDS", "0.5")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_an_accept_blocked_by_a_held_row_lock_answers_503_and_a_retry_succeeds(
    committing_database_url: str, short_lock_waits: None
) -> None:
    engine = make_engine(committing_database_url, pool_size=4)
    factory = sessionmaker(
        bind=engine, expire_on_commit=False, execution_options=transaction_options(writes=False)
    )
    dsn = make_url(committing_database_url).set(drivername="postgresql")
    with factory() as session, TestClient(create_app(factory, run_jobs=False)) as client:
        market = build_marketplace(client, session, experts=1)
        ticket = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
        [offer] = client.get("/api/v1/offers", headers=market.experts[0]).json()
        accept = f"/api/v1/offers/{offer['id']}/accept"

        # Another transaction (a frozen job runner, say) holds the ticket's row lock. It ends
        # itself after 60 s idle, so a request that waits without bound still gets an answer.
        with psycopg.connect(dsn.render_as_string(hide_password=False)) as holder:
            holder.execute("SET idle_in_transaction_session_timeout = '60s'")
            holder.execute(
                "SELECT id FROM tickets WHERE id = %s FOR UPDATE", (ticket.json()["id"],)
            )
            blocked = client.post(accept, headers=market.experts[0])
            offer_while_blocked = client.get("/api/v1/offers", headers=market.experts[0]).json()
            holder.rollback()
        retried = client.post(accept, headers=market.experts[0])
    engine.dispose()

    assert blocked.status_code == 503
    assert blocked.headers["Retry-After"] == "1"
    assert blocked.json()["detail"] == (
        "the records this request needs are busy with other work; nothing was changed, "
        "try again in a moment"
    )
    assert [(o["id"], o["status"]) for o in offer_while_blocked] == [(offer["id"], "pending")]
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "accepted"
