"""Log lines: plain for people (the default) or one JSON object per line for log collectors.

Each line written while a request is served carries the request's id (``request_id``, set by
the request middleware in a context variable, so the job runner's lines and lines from other
requests never get it). ``logging_config`` is the ``logging.config.dictConfig`` the server
starts with: uvicorn's own loggers and everything of GigCX go to standard error.
"""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["plain", "json"]

current_request_id: ContextVar[str | None] = ContextVar("gigcx_request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Put the id of the request being served (or None) on each record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id (and exception)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id.get()),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def logging_config(log_format: LogFormat, level: str = "info") -> dict[str, Any]:
    """The logging set-up of a server process (and of the parent of several)."""
    if log_format == "json":
        formatters: dict[str, Any] = {
            "default": {"()": JsonFormatter},
            "access": {"()": JsonFormatter},
        }
    else:
        formatters = {
            "default": {
                "()": "uvicorn.logging.DefaultFormatter",
                "fmt": "%(levelprefix)s %(message)s",
                "use_colors": None,
            },
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
            },
        }
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": formatters,
        "handlers": {
            "default": {**handler, "formatter": "default", "filters": ["request_id"]},
            "access": {**handler, "formatter": "access", "filters": ["request_id"]},
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": ["access"], "level": level.upper(), "propagate": False},
            "gigcx": {"handlers": ["default"], "level": level.upper(), "propagate": False},
        },
    }
