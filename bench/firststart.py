"""How long `gigcx serve` takes on an empty database before its pages answer, step by step.

    .venv/bin/python bench/firststart.py                 # this checkout's gigcx, SQLite
    .venv/bin/python bench/firststart.py --gigcx ../other/.venv/bin/gigcx --runs 2

Each run starts `gigcx serve` in a new empty folder (so a new SQLite database under var/) and
notes, from the moment it starts: when the database is migrated and when it says it serves
(from its output), the first 200 of the start page `/`, the first 200 of the brand console
(`/brand`, signed in as the demo's brand admin), and when the demo is complete (the console's
dashboard no longer says its history is being written; a checkout without staged seeding has
it complete before it serves). Then the server is stopped and started again on the same database,
and the second start's first page is timed; the bench checks that it did not seed again.
Times are wall clock on a shared machine: the table ends with the load average.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

ADMIN = ("admin@alpenglow.example", "gigcx-demo")
STILL_WRITING = "still writing its two weeks of history"
TIMEOUT_SECONDS = 1800.0
console = Console(highlight=False)


@dataclass
class Start:
    """What one `gigcx serve` printed, and when (seconds since it started)."""

    started: float
    marks: dict[str, float] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def watch(self, stream: object, patterns: dict[str, str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.append(line)
            for name, pattern in patterns.items():
                if name not in self.marks and re.search(pattern, line):
                    self.marks[name] = time.perf_counter() - self.started


PATTERNS = {
    "migrated": r"is up to date",
    "serving": r"^serving on ",
    "ready": r"server process \d+ ready",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def launch(gigcx: str, folder: Path, port: int) -> tuple[subprocess.Popen[str], Start]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIGCX_")}
    start = Start(started=time.perf_counter())
    process = subprocess.Popen(
        [gigcx, "serve", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    threading.Thread(target=start.watch, args=(process.stdout, PATTERNS), daemon=True).start()
    return process, start


def wait_for(
    check: object, process: subprocess.Popen[str], what: str, *, pause: float = 0.1
) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gigcx serve exited ({process.returncode}) before {what}")
        try:
            if check():  # type: ignore[operator]
                return
        except httpx.HTTPError:
            pass
        time.sleep(pause)
    raise SystemExit(f"no {what} within {TIMEOUT_SECONDS:.0f} s")


def sign_in(client: httpx.Client) -> bool:
    client.get("/login")
    token = client.cookies.get("gigcx_csrf", "")
    email, password = ADMIN
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    return answer.status_code == 303


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def first_start(gigcx: str, folder: Path, *, until_complete: bool) -> dict[str, float]:
    port = free_port()
    process, start = launch(gigcx, folder, port)
    timings: dict[str, float] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            wait_for(lambda: client.get("/").status_code == 200, process, "200 of /")
            timings["first 200 of /"] = time.perf_counter() - start.started
            console.print(f"  first 200 of / after {timings['first 200 of /']:.1f} s")
            wait_for(lambda: sign_in(client), process, "sign-in")
            wait_for(lambda: client.get("/brand").status_code == 200, process, "200 of /brand")
            timings["first 200 of /brand (signed in)"] = time.perf_counter() - start.started
            console.print(
                f"  signed in, /brand after {timings['first 200 of /brand (signed in)']:.1f} s"
            )
            if not until_complete:
                return timings
            wait_for(
                lambda: STILL_WRITING not in client.get("/brand").text,
                process,
                "demo complete",
                # The dashboard is a heavy page: look now and then, not to slow the seeding.
                pause=5.0,
            )
            timings["demo complete"] = time.perf_counter() - start.started
    finally:
        stop(process)
        for name in ("migrated", "serving", "ready"):
            if name in start.marks:
                timings[f"said: {name}"] = start.marks[name]
    return timings


def second_start(gigcx: str, folder: Path) -> dict[str, float]:
    port = free_port()
    process, start = launch(gigcx, folder, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            wait_for(lambda: client.get("/").status_code == 200, process, "200 of /")
            elapsed = time.perf_counter() - start.started
    finally:
        stop(process)
    if any("seeding the demo" in line for line in start.lines):
        raise SystemExit("the second start seeded the demo again")
    return {"second start: first 200 of /": elapsed}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default = str(Path(sys.executable).with_name("gigcx"))
    parser.add_argument("--gigcx", default=default, help="the gigcx command to start")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--first-page-only",
        action="store_true",
        help="stop the first start at the brand console, without waiting for the whole demo",
    )
    args = parser.parse_args(argv)
    results: list[dict[str, float]] = []
    for _ in range(args.runs):
        folder = Path(tempfile.mkdtemp(prefix="gigcx-firststart-"))
        try:
            timings = first_start(args.gigcx, folder, until_complete=not args.first_page_only)
            timings |= second_start(args.gigcx, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        results.append(timings)
    table = Table(
        title=f"gigcx serve on an empty SQLite database ({args.gigcx}), {args.runs} run(s)"
    )
    table.add_column("from the start of `gigcx serve`")
    table.add_column("median s", justify="right")
    table.add_column("min s", justify="right")
    table.add_column("max s", justify="right")
    for name in results[0]:
        values = [r[name] for r in results if name in r]
        table.add_row(
            name, f"{statistics.median(values):.1f}", f"{min(values):.1f}", f"{max(values):.1f}"
        )
    console.print(table)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    console.print(f"load average at the end: {load} ({os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
