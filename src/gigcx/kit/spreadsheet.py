"""CSV cells that a spreadsheet opens as text, never as a formula (OWASP's CSV injection rule)."""

import re
from collections.abc import Iterable

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def safe_cell(value: object) -> str:
    """``value`` as a cell: text that starts like a formula gets a leading apostrophe.

    Plain numbers ("-2.50") stay as they are, so amounts remain numbers.
    """
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(values: Iterable[object]) -> list[str]:
    """Every cell of a row made safe with ``safe_cell``."""
    return [safe_cell(value) for value in values]
