"""Processes the benchmarks start and the CPU they use (Linux /proc)."""

import contextlib
import os
import signal
import socket
import subprocess
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) one process has used so far; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def process_tree(pid: int) -> list[int]:
    """A process and its descendants, as they are now."""
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found.append(current)
        pending.extend(int(child) for child in children)
    return found


def process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its descendants."""
    return sum(process_cpu(member) for member in process_tree(pid))


def postgres_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL process on this machine."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "comm").read_text().strip() != "postgres":
                continue
        except OSError:
            continue
        total += process_cpu(int(proc.name))
    return total


def start_group(
    command: list[str], *, env: dict[str, str], cwd: Path, log: Path
) -> subprocess.Popen[bytes]:
    """Start ``command`` in a process group of its own, its output appended to ``log``."""
    with log.open("ab") as log_file:
        # Our own interpreter and arguments we built; no shell.
        return subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_group(process: subprocess.Popen[bytes], *, grace: float = 15.0) -> None:
    """Stop a process group started with ``start_group``: SIGTERM, then SIGKILL after
    ``grace`` seconds, then SIGKILL to anything left in the group."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    # Children left behind by a leader that died would still be in the group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
