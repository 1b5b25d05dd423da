"""`gigcx serve --processes 2` as a user runs it: real processes, a real port, real HTTP."""

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx

GIGCX = Path(sys.executable).parent / "gigcx"
READY = re.compile(r"server process (\d+) ready in ([\d.]+) s")
# Not a limit on how fast anything must be: only a guard that ends a hung server so the test
# fails instead of hanging the suite.
HANG_GUARD_SECONDS = 300


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    lines: list[str] = field(default_factory=list)

    def read_until_ready(self, processes: int) -> dict[int, float]:
        """Read the output until each server process has said it is ready."""
        ready: dict[int, float] = {}
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip())
            found = READY.search(self.lines[-1])
            if found:
                ready[int(found[1])] = float(found[2])
                if len(ready) == processes:
                    return ready
        raise AssertionError("the server stopped before it was ready:\n" + self.output)

    def read_to_the_end(self) -> None:
        """Read until every process writing to the output (children included) has exited."""
        assert self.process.stdout is not None
        self.lines += [raw.decode(errors="replace").rstrip() for raw in self.process.stdout]

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(folder: Path, port: int) -> Iterator[Served]:
    env = {
        **os.environ,
        "GIGCX_DATABASE_URL": f"sqlite:///{folder / 'gigcx.db'}",
        "GIGCX_SECRET_KEY": "a-secret-for-tests-only",
        "PYTHONUNBUFFERED": "1",
    }
    command = [str(GIGCX), "serve", "--processes", "2", "--no-demo", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1"],
        env=env,
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    guard = threading.Timer(HANG_GUARD_SECONDS, os.killpg, (process.pid, signal.SIGKILL))
    guard.start()
    try:
        yield Served(process)
    finally:
        guard.cancel()
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


@contextmanager
def watching(pids: Iterable[int]) -> Iterator[dict[int, int]]:
    """Process file descriptors of processes that are not our children, to wait for their end."""
    fds = {pid: os.pidfd_open(pid) for pid in pids}
    try:
        yield fds
    finally:
        for fd in fds.values():
            os.close(fd)


def exited(pidfd: int) -> bool:
    """Wait until the process has exited (its pidfd turns readable); False if the guard ends."""
    readable, _, _ = select.select([pidfd], [], [], HANG_GUARD_SECONDS)
    return bool(readable)


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_server_processes_import_the_app_without_the_command_line() -> None:
    probe = (
        "import json, sys, gigcx.server, gigcx.app; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'typer' "
        "or m.startswith('gigcx.cli'))))"
    )

    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert json.loads(loaded.stdout) == []


def test_killing_the_parent_stops_its_server_processes_and_frees_the_port(
    tmp_path: Path,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    with serving(tmp_path, port) as first:
        started = first.read_until_ready(processes=2)
        answers = [httpx.get(f"{base}{path}").status_code for path in ("/healthz", "/readyz")]
        with watching(started) as children:
            os.kill(first.process.pid, signal.SIGKILL)
            first.process.wait()
            children_gone = [exited(fd) for fd in children.values()]
        first.read_to_the_end()
    freed = port_is_free(port)

    with serving(tmp_path, port) as second:
        restarted = second.read_until_ready(processes=2)
        answered_again = httpx.get(f"{base}/readyz").status_code
        with watching(restarted) as children:
            second.process.send_signal(signal.SIGTERM)
            second.process.wait()
            stopped = [exited(fd) for fd in children.values()]
        second.read_to_the_end()
    print(f"server processes ready after {sorted(started.values())} s, then {restarted} s")

    assert answers == [200, 200]
    assert children_gone == [True, True], first.output
    assert freed
    assert answered_again == 200
    # A graceful stop: every process finished its shutdown and the parent exited cleanly.
    assert second.process.returncode == 0, second.output
    assert second.output.count("Finished server process") == 2, second.output
    assert stopped == [True, True]
