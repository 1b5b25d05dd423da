"""Text helpers: what makes a string unstorable (NUL characters, unpaired surrogates), and
shortening between words."""

import re
from collections.abc import Iterable, Iterator
from typing import Any

# A JSON Schema pattern (ECMA 262) for "text without NUL characters".
NUL_FREE_PATTERN = "^[^\\u0000]*$"
_SPACE = re.compile(r"\s")


def text_problem(value: str) -> str | None:
    """Say why ``value`` cannot be stored as text, or None when it can."""
    if "\x00" in value:
        return "contains a NUL character (U+0000), which text cannot hold; remove it"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return (
            "contains an unpaired surrogate (such as \\ud800), which is not text; send valid UTF-8"
        )
    return None


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a decoded JSON or form value: list items, dict keys and values."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from strings_in(item)


def first_text_problem(value: Any) -> str | None:
    """The problem of the first unstorable string inside ``value``, if any."""
    for text in strings_in(value):
        problem = text_problem(text)
        if problem is not None:
            return problem
    return None


def printable(text: str) -> str:
    """``text`` made safe to encode as UTF-8 (unpaired surrogates become escapes)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def shorten(text: str, limit: int, *, never_inside: Iterable[tuple[int, int]] = ()) -> str:
    """The start of ``text`` in at most ``limit`` characters, cut between words (at any space,
    tab or line break) and marked with an ellipsis; a single word longer than the limit is cut.

    ``never_inside`` are (start, end) spans that a cut must not split: the cut moves before them.
    """
    if len(text) <= limit:
        return text
    boundaries = [m.start() for m in _SPACE.finditer(text, 0, limit + 1) if m.start() > 0]
    cut = boundaries[-1] if boundaries else limit
    for start, end in sorted(never_inside, reverse=True):
        if start < cut < end:
            cut = start
    return text[:cut].rstrip() + "\N{HORIZONTAL ELLIPSIS}"
