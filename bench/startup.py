"""How long a server process takes to import the app, and what the import loads.

    .venv/bin/python bench/startup.py                     # this checkout, 7 fresh interpreters
    .venv/bin/python bench/startup.py --src ../main/src   # another checkout's source, same venv

Each run is a new interpreter that times ``import gigcx.app`` (and ``create_app()``) with
``time.perf_counter``; one more run with ``python -X importtime`` lists the packages that took
longest (cumulative microseconds) and says which text-model packages were loaded.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

HEAVY = ("sklearn", "scipy", "onnxruntime", "onnx", "tokenizers", "lingua", "vaderSentiment")
TIMED = f"""
import json, sys, time
started = time.perf_counter()
import gigcx.app
imported = time.perf_counter()
gigcx.app.create_app()
created = time.perf_counter()
print(json.dumps({{
    "import": imported - started,
    "create": created - imported,
    "heavy": sorted(set(sys.modules) & set({HEAVY!r})),
    "file": gigcx.app.__file__,
}}))
"""

console = Console(highlight=False)


def run(code: str, src: Path | None, *flags: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, *flags, "-c", code], capture_output=True, text=True, check=True, env=env
    )


def slowest_imports(src: Path | None, count: int) -> list[tuple[str, int]]:
    """Top-level packages by cumulative import time, from ``-X importtime``."""
    stderr = run("import gigcx.app", src, "-X", "importtime").stderr
    totals: dict[str, int] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split("|", 2))
        if not cumulative.isdigit():
            continue
        package = name.strip()
        if not package.startswith("gigcx") and "." not in package:
            totals[package] = max(totals.get(package, 0), int(cumulative))
    return sorted(totals.items(), key=lambda item: -item[1])[:count]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--src", type=Path, help="a checkout's src/ to import gigcx from")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args(argv)
    results = [json.loads(run(TIMED, args.src).stdout) for _ in range(args.runs)]
    imports = [r["import"] for r in results]
    creates = [r["create"] for r in results]
    table = Table(title=f"import gigcx.app, {args.runs} fresh interpreters ({results[0]['file']})")
    for name in ("step", "median s", "min s", "max s"):
        table.add_column(name, justify="left" if name == "step" else "right")
    for name, values in (("import gigcx.app", imports), ("create_app()", creates)):
        table.add_row(
            name,
            f"{statistics.median(values):.2f}",
            f"{min(values):.2f}",
            f"{max(values):.2f}",
        )
    console.print(table)
    heavy = results[0]["heavy"]
    console.print(f"text-model packages loaded by the import: {', '.join(heavy) or 'none'}")
    slowest = Table(title="Slowest top-level imports (cumulative, one run with -X importtime)")
    slowest.add_column("package")
    slowest.add_column("ms", justify="right")
    for package, microseconds in slowest_imports(args.src, args.top):
        slowest.add_row(package, f"{microseconds / 1000:.0f}")
    console.print(slowest)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    console.print(f"load average at the end: {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
