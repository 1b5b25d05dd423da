"""Job handlers by name; each domain's ``tasks.py`` registers its own."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

Handler = Callable[[Session, dict[str, Any]], None]
Rearm = Callable[[Session, dict[str, Any]], None]

# How long one run may take unless its handler says otherwise. It bounds the run's database
# statements, the time its transaction may sit idle (a frozen runner) and, with a margin,
# the lease after which another runner takes the job over.
DEFAULT_TIMEOUT = timedelta(seconds=60)


@dataclass(frozen=True)
class Task:
    name: str
    run: Handler
    timeout: timedelta
    # For recurring jobs: queue the next run (idempotently). The runner calls it after every
    # run, failed or not, with the outcome (a failed run's changes rolled back first), so a
    # failure never ends the cycle.
    rearm: Rearm | None = None


_tasks: dict[str, Task] = {}


def handler(
    name: str, *, timeout: timedelta = DEFAULT_TIMEOUT, rearm: Rearm | None = None
) -> Callable[[Handler], Handler]:
    """Register a job handler under ``name``; a run may take at most ``timeout``."""
    if timeout <= timedelta(0):
        raise ValueError(f"job handler {name!r} needs a positive timeout")

    def register(function: Handler) -> Handler:
        existing = _tasks.get(name)
        if existing is not None and existing.run is not function:
            raise ValueError(f"job handler {name!r} is registered twice")
        _tasks[name] = Task(name=name, run=function, timeout=timeout, rearm=rearm)
        return function

    return register


def get_task(name: str) -> Task:
    try:
        return _tasks[name]
    except KeyError:
        raise LookupError(f"no job handler named {name!r}; is its tasks module imported?") from None


def get_handler(name: str) -> Handler:
    return get_task(name).run


def registered_names() -> list[str]:
    return sorted(_tasks)
