"""`gigcx jobs run` as bench/intake.py starts it, counting the SQL statements it sends.

    python bench/_runner.py --count-file FILE -- jobs run --only routing.route

The runner is the product's own CLI command; this wrapper only adds a statement counter and
writes the running total to ``--count-file`` whenever it receives SIGUSR1, so the bench can
read it at the start and the end of a measured window.
"""

import json
import signal
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from gigcx.cli.main import app


def main() -> None:
    arguments = sys.argv[1:]
    separator = arguments.index("--")
    (option, count_file), command = arguments[:separator], arguments[separator + 1 :]
    assert option == "--count-file", "usage: _runner.py --count-file FILE -- jobs run ..."
    counted = {"statements": 0}

    @event.listens_for(Engine, "before_cursor_execute")
    def _count(*_: Any) -> None:
        counted["statements"] += 1

    def _write(*_: Any) -> None:
        Path(count_file).write_text(json.dumps(counted))

    signal.signal(signal.SIGUSR1, _write)
    _write()
    app(args=command, prog_name="gigcx")


if __name__ == "__main__":
    main()
