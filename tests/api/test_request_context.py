"""Each request has an id: in X-Request-ID and on every log line written while it is served."""

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from gigcx.app import create_app
from gigcx.kit import logs

log = logging.getLogger("gigcx.tests.request_context")


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the JSON log handler of a server writes, for the loggers of this test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestIdFilter())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    yield stream
    log.removeHandler(handler)


@pytest.fixture
def logging_client(factory: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(factory, run_jobs=False)

    # A plain (threaded) route, as most are: the id follows the request into the thread.
    @app.get("/test/log")
    def write_lines() -> dict[str, str]:
        log.info("first line")
        log.warning("second line")
        return {}

    with TestClient(app) as client:
        yield client


def test_a_request_gets_a_new_id_unless_it_brings_a_sane_one(client: TestClient) -> None:
    made = client.get("/healthz").headers["X-Request-ID"]
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.01_x"})
    too_long = client.get("/healthz", headers={"X-Request-ID": "a" * 65})
    odd = client.get("/healthz", headers={"X-Request-ID": "a b<script>"})

    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert kept.headers["X-Request-ID"] == "lb-7f3a.01_x"
    assert re.fullmatch(r"[0-9a-f]{32}", too_long.headers["X-Request-ID"])
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["X-Request-ID"])
    assert len({made, too_long.headers["X-Request-ID"], odd.headers["X-Request-ID"]}) == 3


def test_every_log_line_of_a_request_carries_its_id(
    logging_client: TestClient, json_lines: io.StringIO
) -> None:
    answer = logging_client.get("/test/log", headers={"X-Request-ID": "req-1"})
    other = logging_client.get("/test/log")
    log.info("outside any request")

    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    assert answer.status_code == 200
    assert [
        (line["level"], line["logger"], line["message"], line["request_id"]) for line in lines
    ] == [
        ("INFO", "gigcx.tests.request_context", "first line", "req-1"),
        ("WARNING", "gigcx.tests.request_context", "second line", "req-1"),
        ("INFO", "gigcx.tests.request_context", "first line", other.headers["X-Request-ID"]),
        ("WARNING", "gigcx.tests.request_context", "second line", other.headers["X-Request-ID"]),
        ("INFO", "gigcx.tests.request_context", "outside any request", None),
    ]
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
        for line in lines
    )
