"""Helpers the benchmarks share: percentiles, throw-away databases, the PostgreSQL URL."""

import base64
import math
import os
import re
import secrets
import statistics
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

DEFAULT_POSTGRES_URL = os.environ.get(
    "GIGCX_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Encryption at rest needs a master key on PostgreSQL: a benchmark's scratch databases use a
# throw-away one, handed to the server processes it starts through the environment.
os.environ.setdefault(
    "GIGCX_ENCRYPTION_KEYS", f"bench:{base64.b64encode(secrets.token_bytes(32)).decode()}"
)
_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Summary:
    count: int
    p50: float
    p90: float
    p99: float
    max: float
    mean: float


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values (``share`` between 0 and 1)."""
    if not sorted_values:
        return float("nan")
    rank = max(math.ceil(share * len(sorted_values)) - 1, 0)
    return sorted_values[min(rank, len(sorted_values) - 1)]


def summarize(values: Sequence[float]) -> Summary:
    ordered = sorted(values)
    if not ordered:
        nan = float("nan")
        return Summary(0, nan, nan, nan, nan, nan)
    return Summary(
        count=len(ordered),
        p50=percentile(ordered, 0.50),
        p90=percentile(ordered, 0.90),
        p99=percentile(ordered, 0.99),
        max=ordered[-1],
        mean=statistics.fmean(ordered),
    )


def postgres_reachable(url: str) -> str | None:
    """Return None if the server answers, else why not (one line)."""
    engine = create_engine(url, pool_pre_ping=False)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        return str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    finally:
        engine.dispose()
    return None


@contextmanager
def scratch_postgres_database(server_url: str, name: str, *, keep: bool = False) -> Iterator[str]:
    """Create a fresh database ``name`` on the server of ``server_url``; drop it afterwards."""
    if not _DATABASE_NAME.match(name):
        raise ValueError(f"{name!r} is not a plain lowercase database name")
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        try:
            yield url
        finally:
            if not keep:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def safe_url(url: str) -> str:
    """The URL with any password masked, for printing."""
    return make_url(url).render_as_string(hide_password=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"
