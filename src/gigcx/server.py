"""Serve the app in one process, or in several that share one listening socket.

With several, the parent binds the socket and starts each server process as
``python -m gigcx.server`` with the socket's file descriptor. A server process imports the app
(``gigcx.app``) and nothing of the command line, so it starts as fast as the app imports. It
stops when its parent dies (Linux: ``PR_SET_PDEATHSIG``; elsewhere a watchdog thread notices
the parent is gone), so a parent killed with SIGKILL leaves no process holding the port. The
parent restarts a server process that dies, and stops them all gracefully on SIGTERM or
SIGINT: requests in flight and the job in progress finish (``GIGCX_SHUTDOWN_GRACE_SECONDS``).

This module is imported by server processes first: keep its imports light.
"""

import argparse
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import uvicorn

from gigcx.config import get_settings
from gigcx.kit import logs

APP = "gigcx.app:create_app"
# uvicorn's own logger: configured by uvicorn.Config, in the parent and in each server process.
log = logging.getLogger("uvicorn.error")

_PR_SET_PDEATHSIG = 1
# A server process that dies sooner than this after starting counts as a failed start.
_FAILED_START_SECONDS = 10.0
_MAX_FAILED_STARTS = 5
_STARTED_AT = time.perf_counter()


def tcp_listener(host: str, port: int) -> socket.socket:
    """A listening socket whose accepted connections have TCP_NODELAY (Nagle's algorithm off).

    uvicorn's command line binds with protocol 0; asyncio then leaves Nagle's algorithm on and
    each keep-alive request after the first waits ~40 ms for a delayed ACK. Made with
    IPPROTO_TCP, asyncio sets TCP_NODELAY on each accepted connection; the listener has it too,
    which accepted connections inherit on Linux whatever the event loop.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise SystemExit(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sock.set_inheritable(True)
    return sock


def _config(app: str, *, log_level: str, **kwargs: object) -> uvicorn.Config:
    settings = get_settings()
    grace = settings.shutdown_grace_seconds
    return uvicorn.Config(
        app,
        factory=True,
        log_level=log_level,
        log_config=logs.logging_config(settings.log_format, log_level),
        timeout_graceful_shutdown=max(1, round(grace)),
        **kwargs,  # type: ignore[arg-type]
    )


class _Server(uvicorn.Server):
    """uvicorn's server, saying how long the process took to become ready."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            elapsed = time.perf_counter() - _STARTED_AT
            log.info("server process %d ready in %.1f s", os.getpid(), elapsed)


def _stopped(_signum: int, _frame: object) -> None:
    """Take the SIGTERM uvicorn raises again once it has stopped: the stop was graceful."""


def _run(server: _Server, listener: socket.socket) -> None:
    """Run until SIGTERM or SIGINT, then stop gracefully; a SIGTERM stop exits with status 0.

    uvicorn re-raises the signal that stopped it; with the default handler a process that
    finished every request would still die of SIGTERM (exit status -15 for its supervisor).
    """
    previous = signal.signal(signal.SIGTERM, _stopped)
    try:
        server.run(sockets=[listener])
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(app: str, *, host: str, port: int, processes: int, log_level: str = "info") -> None:
    """Serve an app factory in this process, or in ``processes`` processes on one socket."""
    if processes <= 1:
        listener = tcp_listener(host, port)
        _run(_Server(_config(app, host=host, port=port, log_level=log_level)), listener)
        return
    _config(app, log_level=log_level)  # sets up logging in this parent process too
    Supervisor(app, tcp_listener(host, port), processes, log_level).run()


@dataclass
class _Child:
    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.monotonic)


class Supervisor:
    """Start, watch and stop the server processes."""

    def __init__(self, app: str, listener: socket.socket, processes: int, log_level: str):
        self.app = app
        self.listener = listener
        self.count = processes
        self.log_level = log_level
        self.children: list[_Child] = []
        log.info("started parent process %d", os.getpid())
        self.stopping = threading.Event()
        self.failed_starts = 0

    def _start(self) -> _Child:
        fd = self.listener.fileno()
        command = [
            sys.executable,
            "-m",
            "gigcx.server",
            f"--fd={fd}",
            f"--app={self.app}",
            f"--log-level={self.log_level}",
            f"--parent={os.getpid()}",
        ]
        # Our own interpreter and module, with arguments we built: no untrusted input.
        return _Child(subprocess.Popen(command, pass_fds=(fd,)))  # noqa: S603

    def _on_signal(self, signum: int, _frame: object) -> None:
        log.info("received %s: stopping the server processes", signal.Signals(signum).name)
        self.stopping.set()

    def run(self) -> None:
        stopping = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self._on_signal) for sig in stopping}
        try:
            self.children = [self._start() for _ in range(self.count)]
            while not self.stopping.wait(0.5):
                self._replace_dead()
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.listener.close()

    def _replace_dead(self) -> None:
        for index, child in enumerate(self.children):
            code = child.process.poll()
            if code is None:
                continue
            lived = time.monotonic() - child.started
            log.info("server process %d died (exit code %s)", child.process.pid, code)
            self.failed_starts = self.failed_starts + 1 if lived < _FAILED_START_SECONDS else 0
            if self.failed_starts >= _MAX_FAILED_STARTS:
                log.error("server processes keep failing at start; stopping")
                self.stopping.set()
                return
            self.children[index] = self._start()

    def _stop_all(self) -> None:
        for child in self.children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        # Requests get the grace period, then the job in progress gets it again.
        deadline = time.monotonic() + 2 * get_settings().shutdown_grace_seconds + 5
        for child in self.children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("server process %d did not stop in time; killing it", child.process.pid)
                child.process.kill()
                child.process.wait()


def stop_with_parent(parent: int) -> None:
    """Get SIGTERM (a graceful stop) when the parent dies, however it dies."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0:
                # The parent may have died before the call took effect.
                if os.getppid() != parent:
                    os.kill(os.getpid(), signal.SIGTERM)
                return
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="gigcx-parent-watch", daemon=True).start()


def main(argv: Sequence[str] | None = None) -> None:
    """One server process on an inherited listening socket (started by ``Supervisor``)."""
    parser = argparse.ArgumentParser(prog="python -m gigcx.server")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--app", default=APP)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    stop_with_parent(args.parent)
    listener = socket.socket(fileno=args.fd)
    _run(_Server(_config(args.app, log_level=args.log_level)), listener)


if __name__ == "__main__":
    main()
