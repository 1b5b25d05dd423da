"""`gigcx serve` in production: Nagle's algorithm off, a graceful stop on SIGTERM."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from gigcx import server
from tests.cli.test_serve_processes import GIGCX, HANG_GUARD_SECONDS, Served, free_port

ROOT = Path(__file__).resolve().parents[2]
READY = re.compile(r"server process (\d+) ready in")


@contextmanager
def running(command: list[str], folder: Path, **settings: str) -> Iterator[Served]:
    env = {
        **os.environ,
        **settings,
        "GIGCX_DATABASE_URL": f"sqlite:///{folder / 'gigcx.db'}",
        "GIGCX_SECRET_KEY": "a-secret-for-tests-only",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        command,
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


def read_until(served: Served, pattern: str) -> None:
    """Read the output until a line holds ``pattern``."""
    assert served.process.stdout is not None
    for raw in served.process.stdout:
        served.lines.append(raw.decode(errors="replace").rstrip())
        if pattern in served.lines[-1]:
            return
    raise AssertionError(f"the server ended before saying {pattern!r}:\n{served.output}")


def test_the_listening_socket_turns_nagle_off() -> None:
    with server.tcp_listener("127.0.0.1", 0) as listener:
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


@pytest.mark.parametrize("processes", [1, 2])
def test_accepted_connections_have_nodelay(tmp_path: Path, processes: int) -> None:
    port = free_port()
    code = (
        "from gigcx import server; "
        f"server.serve('tests.cli.nodelay_app:create_app', host='127.0.0.1', port={port}, "
        f"processes={processes})"
    )

    with running([sys.executable, "-c", code], tmp_path) as served:
        for _ in range(processes):
            read_until(served, "ready in")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            # Two requests on one keep-alive connection: both ends see one socket.
            answers = [client.get("/").json() for _ in range(2)]
        served.process.send_signal(signal.SIGTERM)
        served.process.wait()
        served.read_to_the_end()

    assert [answer["nodelay"] for answer in answers] == [1, 1], served.output
    assert served.process.returncode == 0, served.output


def test_sigterm_lets_the_request_in_flight_finish(tmp_path: Path) -> None:
    port = free_port()
    body = json.dumps(
        {
            "email": "late@example.com",
            "password": "correct horse battery",
            "display_name": "Late",
            "country": "pt",
            "timezone": "Europe/Lisbon",
            "languages": {"en": 5},
            "skills": {"billing": 4},
            "capacity": {"chat": 2},
        }
    ).encode()
    head = (
        f"POST /api/v1/experts HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "X-Request-ID: slow-sign-up\r\nExpect: 100-continue\r\n\r\n"
    ).encode()
    command = [str(GIGCX), "serve", "--no-demo", "--processes", "1", "--port", str(port)]

    with running(command, tmp_path, GIGCX_LOG_FORMAT="json") as served:
        read_until(served, "ready in")
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(head)
            # "100 Continue" comes when the route starts reading the body: it is in flight.
            continued = receive_until(client, b"\r\n\r\n")
            served.process.send_signal(signal.SIGTERM)
            read_until(served, "Waiting for connections to close")
            client.sendall(body)
            answer = receive_until(client, None)
        served.process.wait()
        served.read_to_the_end()

    assert continued.startswith(b"HTTP/1.1 100 Continue"), continued
    assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 202 Accepted", answer
    assert served.process.returncode == 0, served.output
    logged = [json.loads(line) for line in served.lines if line.startswith("{")]
    said = [line["message"] for line in logged]
    assert said.index("Waiting for connections to close. (CTRL+C to force quit)") < said.index(
        "stopping the job runner: the job in progress finishes, no new one starts"
    )
    assert f"Finished server process [{served.process.pid}]" in said, served.output
    [access] = [line for line in logged if line["logger"] == "uvicorn.access"]
    assert access["request_id"] == "slow-sign-up"
    assert access["message"].endswith('"POST /api/v1/experts HTTP/1.1" 202')


def receive_until(client: socket.socket, end: bytes | None) -> bytes:
    """Read until ``end`` has come (or, for None, until the server closes the connection)."""
    received = b""
    while end is None or end not in received:
        chunk = client.recv(65536)
        if not chunk:
            break
        received += chunk
    return received
