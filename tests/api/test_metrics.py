"""/metrics: Prometheus' text format, readable from this host or with the metrics token."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from gigcx.app import create_app
from gigcx.config import get_settings
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.privacy.audit_tasks import SEAL_JOB
from tests.api.helpers import build_marketplace, ticket_body

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> tuple[dict[str, str], Samples]:
    """The types and the samples of a Prometheus text exposition."""
    types: dict[str, str] = {}
    samples: Samples = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
            continue
        if line.startswith("#") or not line:
            continue
        series, value = line.rsplit(" ", 1)
        name, _, rest = series.partition("{")
        labels = frozenset(
            (key, raw.strip('"'))
            for key, _, raw in (pair.partition("=") for pair in rest.rstrip("}").split(",") if pair)
        )
        samples[(name, labels)] = float(value)
    return types, samples


def sample(samples: Samples, metric: str, /, **labels: str) -> float | None:
    return samples.get((metric, frozenset(labels.items())))


@pytest.fixture
def local(factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """A client on this host (loopback)."""
    app = create_app(factory, run_jobs=False)
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        yield client


@pytest.fixture
def metrics_token(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("GIGCX_METRICS_TOKEN", "scrape-me")
    get_settings.cache_clear()
    yield "scrape-me"
    get_settings.cache_clear()


def test_metrics_are_for_this_host_only_without_a_token(
    client: TestClient, local: TestClient
) -> None:
    remote = client.get("/metrics")
    here = local.get("/metrics")

    assert remote.status_code == 404
    assert here.status_code == 200
    assert here.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"


def test_with_a_token_metrics_need_it_from_everyone(
    client: TestClient, local: TestClient, metrics_token: str
) -> None:
    without = local.get("/metrics")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer guess"})
    right = client.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}"})

    assert (without.status_code, wrong.status_code, right.status_code) == (404, 404, 200)


def test_request_times_are_counted_by_route_template(local: TestClient) -> None:
    before = parse(local.get("/metrics").text)[1]
    local.get("/healthz")
    local.get("/api/v1/tickets/00000000-0000-0000-0000-000000000000")
    local.get("/no/such/page")
    types, after = parse(local.get("/metrics").text)

    def counted(route: str, status: str) -> float:
        labels = {"route": route, "method": "GET", "status": status}
        name = "gigcx_http_request_duration_seconds_count"
        return (sample(after, name, **labels) or 0) - (sample(before, name, **labels) or 0)

    assert types["gigcx_http_request_duration_seconds"] == "histogram"
    assert counted("/healthz", "200") == 1
    assert counted("/api/v1/tickets/{ticket_id}", "401") == 1
    assert counted("unmatched", "404") == 1


def test_queue_depth_offers_pending_and_job_lag_come_from_the_database(
    local: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before anything is made: what the tickets queue is not due yet at this moment.
    moment = clock.now()
    nobody = build_marketplace(local, session, experts=0)
    staffed = build_marketplace(local, session, experts=1)
    # Nobody to take the first (escalated); the expert takes two (offered), two wait (queued).
    for market in (nobody, staffed, staffed, staffed, staffed):
        created = local.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
        assert created.status_code == 201, created.text
    jobs_service.enqueue(session, SEAL_JOB, {}, run_at=moment - timedelta(seconds=90))
    jobs_service.enqueue(session, SEAL_JOB, {}, run_at=moment - timedelta(seconds=30))
    session.commit()
    monkeypatch.setattr(clock, "now", lambda: moment)

    types, samples = parse(local.get("/metrics").text)

    assert types["gigcx_queue_depth"] == "gauge"
    assert sample(samples, "gigcx_queue_depth", program_id=staffed.program_id) == 2
    assert sample(samples, "gigcx_queue_depth", program_id=nobody.program_id) == 0
    assert sample(samples, "gigcx_offers_pending") == 2
    assert sample(samples, "gigcx_job_lag_seconds", name=SEAL_JOB) == 90
    assert sample(samples, "gigcx_job_lag_seconds", name="payments.watch_demand") == 0
    assert sample(samples, "gigcx_database_up") == 1
