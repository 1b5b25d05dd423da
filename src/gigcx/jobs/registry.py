"""Job handlers by name; each domain's ``tasks.py`` registers its own."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

Handler = Callable[[Session, dict[str, Any]], None]

_handlers: dict[str, Handler] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    """Register a job handler under ``name``."""

    def register(function: Handler) -> Handler:
        if name in _handlers and _handlers[name] is not function:
            raise ValueError(f"job handler {name!r} is registered twice")
        _handlers[name] = function
        return function

    return register


def get_handler(name: str) -> Handler:
    try:
        return _handlers[name]
    except KeyError:
        raise LookupError(f"no job handler named {name!r}; is its tasks module imported?") from None


def registered_names() -> list[str]:
    return sorted(_handlers)
