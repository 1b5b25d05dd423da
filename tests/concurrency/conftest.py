"""A PostgreSQL database of its own per test, so what runs here commits for real."""

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from gigcx.db import migrate

TEST_DATABASE_URL = os.environ.get("GIGCX_TEST_DATABASE_URL", "")


@pytest.fixture
def committing_database_url() -> Iterator[str]:
    """Create and migrate ``gigcx_race_<random>`` on the lane's server; drop it afterwards."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip(
            "needs real commits on PostgreSQL; set "
            "GIGCX_TEST_DATABASE_URL=postgresql+psycopg://... to run it"
        )
    server = make_url(TEST_DATABASE_URL)
    admin_url = server.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    name = f"gigcx_race_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
