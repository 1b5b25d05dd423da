"""Redis for tests: the machine's own server, and private ones that a test may stop and start.

``redis_url`` is the shared server of GIGCX_TEST_REDIS_URL (default 127.0.0.1:6379, database
0): tests use channels of their own there, named with a prefix unique to the test run, so runs
side by side never hear each other. ``private_redis`` starts Debian's ``redis-server`` on a free
port, keeping nothing on disk, for tests of an outage. Without a reachable Redis (or without
``redis-server`` for a private one) the tests that need it are skipped, except with CI=true,
where they fail.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gigcx.config import get_settings
from gigcx.db import notify, redis_bus

TEST_REDIS_URL = os.environ.get("GIGCX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IS_CI = os.environ.get("CI", "").lower() == "true"
# Unique to this test run: every channel a test uses starts with it.
RUN_PREFIX = f"gigcx-test-{uuid.uuid4().hex[:12]}"
# Redis starts in well under a second; this is patience for a loaded machine, not a cap on what
# is tested.
START_PATIENCE_SECONDS = 60.0


def _unavailable(message: str) -> None:
    if IS_CI:
        pytest.fail(message.replace("skipped", "cannot run with CI=true"))
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis, reachable, or the test is skipped (failed with CI=true)."""
    reason = redis_bus.reachable(TEST_REDIS_URL)
    if reason is not None:
        _unavailable(f"Redis at {TEST_REDIS_URL} is unreachable ({reason}): Redis tests skipped")
    return TEST_REDIS_URL


@pytest.fixture
def redis_channel() -> str:
    """A channel of this test's own."""
    return f"{RUN_PREFIX}:{uuid.uuid4().hex[:8]}"


def use_redis(monkeypatch: pytest.MonkeyPatch, url: str, channel: str) -> None:
    """Make this process publish its change notifications to ``channel`` of ``url``."""
    monkeypatch.setattr(get_settings(), "redis_url", url)
    monkeypatch.setattr(get_settings(), "redis_channel", channel)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PrivateRedis:
    """A ``redis-server`` of one test's own, on a free port; ``stop`` and ``start`` it."""

    binary: str
    port: int = field(default_factory=_free_port)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="gigcx-redis-")))
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            self.binary,
            *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)),
            *("--save", "", "--appendonly", "no", "--daemonize", "no"),
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_PATIENCE_SECONDS
        while redis_bus.reachable(self.url) is not None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(START_PATIENCE_SECONDS)
            self.process = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.access("/usr/bin/redis-server", os.X_OK) else None
    )
    if binary is None:
        _unavailable("redis-server is not installed: Redis outage tests skipped")
    assert binary is not None
    server = PrivateRedis(binary)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture
def close_publishers() -> Iterator[None]:
    """Send what a test's publishers queued, then forget them."""
    yield
    notify.close_publishers()
