"""A real connection pooler for tests: PgBouncer (Debian's package), in transaction pooling mode.

It runs from a generated configuration in a temporary folder, in front of the PostgreSQL server of
GIGCX_TEST_DATABASE_URL, listening on 127.0.0.1 at a free port: every database name is passed
through to that server (``* =``), clients are trusted by name (``auth_type = trust``, the user in
an auth file, with the server password if the URL has one). Started by root (as in containers)
it runs as Debian's ``postgres`` user, since PgBouncer refuses to run as root. Without PgBouncer
installed the tests that need it are skipped, except with CI=true, where they fail: CI must
install it (``make pgbouncer``).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import URL, make_url

TEST_DATABASE_URL = os.environ.get("GIGCX_TEST_DATABASE_URL", "")
# PgBouncer starts in well under a second; this is patience for a loaded machine, not a cap on
# what is tested.
START_PATIENCE_SECONDS = 60.0
# Enough server connections that two clients in transactions at once get different ones.
POOL_SIZE = 4


def _pgbouncer() -> str | None:
    return shutil.which("pgbouncer") or next(
        (path for path in ("/usr/sbin/pgbouncer",) if os.access(path, os.X_OK)), None
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _config(folder: Path, port: int, server: URL) -> str:
    run_as = "user = postgres\n" if os.geteuid() == 0 else ""
    return f"""[databases]
* = host={server.host or "127.0.0.1"} port={server.port or 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
pool_mode = transaction
default_pool_size = {POOL_SIZE}
max_client_conn = 200
auth_type = trust
auth_file = {folder}/userlist.txt
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
ignore_startup_parameters = extra_float_digits,options
server_reset_query =
{run_as}"""


@dataclass(frozen=True)
class PgBouncer:
    host: str
    port: int
    log_path: Path
    server_url: URL

    def url(self, database: str) -> str:
        """A SQLAlchemy URL for ``database`` through the pooler."""
        pooled = self.server_url.set(host=self.host, port=self.port, database=database)
        return pooled.render_as_string(hide_password=False)

    def libpq_url(self, database: str) -> str:
        """The same, for psycopg itself."""
        return (
            make_url(self.url(database))
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )


def _wait_until_listening(process: subprocess.Popen[bytes], bouncer: PgBouncer) -> None:
    deadline = time.monotonic() + START_PATIENCE_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = bouncer.log_path.read_text() if bouncer.log_path.exists() else ""
            raise RuntimeError(f"PgBouncer stopped at start (exit {process.returncode}):\n{log}")
        try:
            with psycopg.connect(bouncer.libpq_url("postgres"), connect_timeout=5) as connection:
                connection.execute("SELECT 1")
        except psycopg.OperationalError:
            time.sleep(0.05)
            continue
        return
    raise RuntimeError(f"PgBouncer did not listen on port {bouncer.port}; see {bouncer.log_path}")


@pytest.fixture(scope="session")
def pgbouncer() -> Iterator[PgBouncer]:
    """PgBouncer on a free local port, transaction pooling, in front of the test PostgreSQL."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip(
            "PgBouncer lane: needs PostgreSQL; set "
            "GIGCX_TEST_DATABASE_URL=postgresql+psycopg://... to run it"
        )
    binary = _pgbouncer()
    if binary is None:
        message = "PgBouncer is not installed (make pgbouncer): PgBouncer lane skipped"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message.replace("skipped", "cannot run with CI=true"))
        pytest.skip(message)
    server = make_url(TEST_DATABASE_URL)
    folder = Path(tempfile.mkdtemp(prefix="gigcx-pgbouncer-"))
    port = _free_port()
    user = server.username or "postgres"
    (folder / "userlist.txt").write_text(f"{_quoted(user)} {_quoted(server.password or '')}\n")
    (folder / "pgbouncer.ini").write_text(_config(folder, port, server))
    if os.geteuid() == 0:
        for path in (folder, *folder.iterdir()):
            shutil.chown(path, "postgres", "postgres")
    bouncer = PgBouncer("127.0.0.1", port, folder / "pgbouncer.log", server)
    process = subprocess.Popen(
        [binary, str(folder / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_listening(process, bouncer)
        yield bouncer
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
