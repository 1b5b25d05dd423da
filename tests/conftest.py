"""Test database: built once by the migrations; each test runs in a transaction rolled back.

The same suite runs on SQLite (default) and on PostgreSQL when GIGCX_TEST_DATABASE_URL points at
one. With CI=true an unreachable PostgreSQL fails the run; elsewhere it is skipped with a line
that says so.
"""

import os
import tempfile
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("GIGCX_SECRET_KEY", "a-secret-for-tests-only")
# A fixed keyring, so every test runs with encryption at rest on (two master keys: the first
# wraps new data keys). Not secret: never use these outside tests.
os.environ["GIGCX_ENCRYPTION_KEYS"] = (
    "test2:dGVzdC1tYXN0ZXIta2V5LXR3by0tMzItYnl0ZXMhISE=,"
    "test1:dGVzdC1tYXN0ZXIta2V5LW9uZS0tMzItYnl0ZXMhISE="
)
os.environ.pop("GIGCX_KEY_FILE", None)
os.environ.pop("GIGCX_KMS_HOOK", None)
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from gigcx import tasks
from gigcx.app import create_app
from gigcx.db import migrate
from gigcx.db.session import make_engine

assert tasks  # registers job handlers

# Real servers the tests start or reach: SMTP (aiosmtpd), an OpenID Connect provider, Redis.
pytest_plugins = ["tests.servers.smtp", "tests.servers.oidc", "tests.servers.redis_server"]

TEST_DATABASE_URL = os.environ.get("GIGCX_TEST_DATABASE_URL", "")
TEST_MASTER_KEYS = os.environ["GIGCX_ENCRYPTION_KEYS"]
IS_CI = os.environ.get("CI", "").lower() == "true"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail (CI) or skip (elsewhere) the PostgreSQL lane at once if the server is unreachable."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        return
    engine = make_engine(TEST_DATABASE_URL, pool_size=1)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        if IS_CI:
            pytest.exit(f"PostgreSQL lane: cannot reach the database with CI=true: {error}", 1)
        pytest.exit("PostgreSQL lane skipped: cannot reach GIGCX_TEST_DATABASE_URL", 0)
    finally:
        engine.dispose()


def _postgres_engine(url: str) -> Engine:
    engine = make_engine(url, pool_size=4)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    return engine


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    if TEST_DATABASE_URL.startswith("postgresql"):
        engine = _postgres_engine(TEST_DATABASE_URL)
    else:
        path = Path(tempfile.mkdtemp(prefix="gigcx-test-")) / "test.db"
        engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        migrate.upgrade(connection=connection)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions on the test's connection; their commits release savepoints only."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent on ``engine`` while the test runs."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session:
        yield session


@pytest.fixture
def client(factory: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(factory, run_jobs=False)
    with TestClient(app) as client:
        yield client


RENDERED_TEMPLATES: set[str] = set()


def _record_rendered_templates() -> None:
    """Note every template the web layer loads, includes and imports among them."""
    from gigcx.web.deps import templates

    environment = templates.env
    load = environment._load_template

    def recording_load(name: str, globals: Any) -> Any:
        RENDERED_TEMPLATES.add(name)
        return load(name, globals)

    environment._load_template = recording_load  # type: ignore[method-assign]


_record_rendered_templates()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With GIGCX_CHECK_TEMPLATES=1 (the full suite), fail if some template was never rendered."""
    if os.environ.get("GIGCX_CHECK_TEMPLATES") != "1" or exitstatus != 0:
        return
    folder = Path(str(files("gigcx.web") / "templates"))
    every = {path.relative_to(folder).as_posix() for path in folder.rglob("*.html")}
    unrendered = sorted(every - RENDERED_TEMPLATES)
    if unrendered:
        print(f"\nTemplates no test rendered: {', '.join(unrendered)}")
        session.exitstatus = 1


def pytest_report_header() -> str:
    lane = "PostgreSQL" if TEST_DATABASE_URL.startswith("postgresql") else "SQLite"
    return f"gigcx database lane: {lane}"
