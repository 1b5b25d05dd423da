"""Pack an export: JSON files and the person's files, in one zip."""

import io
import json
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    raise TypeError(f"cannot write {type(value).__name__} to an export")


def safe_name(name: str) -> str:
    """A file name fit for a zip entry: no folders, no odd characters."""
    return _UNSAFE.sub("_", name).strip("._")[:100] or "file"


class Archive:
    """A zip being written in memory."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w", compression=zipfile.ZIP_DEFLATED)

    def json(self, path: str, data: Any) -> None:
        text = json.dumps(data, default=_plain, ensure_ascii=False, indent=2, sort_keys=True)
        self._zip.writestr(path, text + "\n")

    def file(self, path: str, data: bytes) -> None:
        self._zip.writestr(path, data)

    def text(self, path: str, text: str) -> None:
        self._zip.writestr(path, text)

    def close(self) -> bytes:
        self._zip.close()
        return self._buffer.getvalue()
