"""Find personal data in text (emails, phones, cards, IBANs, addresses, names) and mask it.

Card numbers are never stored in clear: ``redact_cards`` turns each into ``[card ending 1234]``
before it is written, and ``find`` still knows that form as a card.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from gigcx.kit import text as kit_text

MODEL_VERSION = "pii-rules-2"


class PiiKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CARD = "card"
    IBAN = "iban"
    ADDRESS = "address"
    NAME = "name"


@dataclass(frozen=True)
class Span:
    kind: PiiKind
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        """The span as stored: kind and offsets, never the personal data itself."""
        return {"kind": self.kind.value, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str) -> "Span":
        """A stored span, its text read back from the text it was found in."""
        start, end = int(data["start"]), int(data["end"])
        return cls(PiiKind(data["kind"]), start, end, source[start:end])


_REDACTED_CARD = re.compile(r"\[card ending \d{4}\]")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
_CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
_PHONE = re.compile(r"(?<![\w+(])(?:\+|00|\()?\d[\d ()./-]{6,}\d(?!\w)")
_STREET_WORDS = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|"
    r"square|sq|terrace|close|crescent|highway|parkway|strasse|straße|str|gasse|weg|allee|platz|"
    r"rue|calle|via|avenida"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?\s+(?:[A-Z][\w'-]*\s+){{0,3}}(?:{_STREET_WORDS})\b\.?"
    rf"(?:,?\s+(?:apt|apartment|unit|suite|flat)\.?\s*\w+)?",
    re.IGNORECASE,
)
_ADDRESS_AFTER = re.compile(
    rf"\b(?:[A-ZÄÖÜ][\w'-]*(?:{_STREET_WORDS}))\s+\d{{1,5}}[a-z]?\b", re.IGNORECASE
)
_NAME_WORD = r"[A-ZÀ-Ý][a-zà-ÿ'-]+"
_NAME_CUE = re.compile(
    rf"(?:\bmy name is|\bthis is|\bi am|\bi'm|\bname:|\bregards,|\bthanks,|\bthank you,|"
    rf"\bcheers,|\bsincerely,|\bbest,|\bich bin|\bich heiße|\bje m'appelle|\bme llamo)"
    rf"\s*\n?\s*({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(
    {
        "not",
        "very",
        "so",
        "still",
        "really",
        "just",
        "writing",
        "trying",
        "looking",
        "having",
        "sorry",
        "happy",
        "unable",
        "the",
        "a",
        "an",
        "from",
        "in",
        "on",
        "at",
        "here",
        "back",
        "going",
        "waiting",
        "getting",
        "calling",
        "sure",
        "glad",
        "afraid",
        "interested",
        "new",
    }
)


def luhn_valid(digits: str) -> bool:
    """Whether a card number passes the Luhn checksum."""
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def iban_valid(text: str) -> bool:
    """Whether an IBAN passes its mod-97 check."""
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(char, 36)) for char in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")


def _looks_like_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if not 8 <= len(digits) <= 15 or _DATE.match(candidate):
        return False
    # A bare run of digits is an order or account number unless it is dialled like a phone.
    return candidate.startswith(("+", "00", "0", "(")) or bool(re.search(r"\d[ .-]\d", candidate))


def _overlaps(span: Span, taken: list[Span]) -> bool:
    return any(span.start < other.end and other.start < span.end for other in taken)


def _spans(text: str, known_names: Iterable[str]) -> Iterable[Span]:
    for match in _EMAIL.finditer(text):
        yield Span(PiiKind.EMAIL, match.start(), match.end(), match.group())
    for match in _IBAN.finditer(text):
        if iban_valid(match.group()):
            yield Span(PiiKind.IBAN, match.start(), match.end(), match.group())
    for match in _CARD.finditer(text):
        if luhn_valid(re.sub(r"\D", "", match.group())):
            yield Span(PiiKind.CARD, match.start(), match.end(), match.group())
    for match in _REDACTED_CARD.finditer(text):
        yield Span(PiiKind.CARD, match.start(), match.end(), match.group())
    for pattern in (_ADDRESS, _ADDRESS_AFTER):
        for match in pattern.finditer(text):
            address = match.group().rstrip(".")
            yield Span(PiiKind.ADDRESS, match.start(), match.start() + len(address), address)
    for match in _PHONE.finditer(text):
        if _looks_like_phone(match.group()):
            yield Span(PiiKind.PHONE, match.start(), match.end(), match.group())
    for match in _NAME_CUE.finditer(text):
        words = match.group(1).split()
        while words and words[-1].lower() in _NOT_NAMES:
            words.pop()
        if words and words[0].lower() not in _NOT_NAMES and words[0][0].isupper():
            start = match.start(1)
            name = " ".join(words)
            yield Span(PiiKind.NAME, start, start + len(name), name)
    for name in known_names:
        for part in {name.strip(), *name.split()}:
            if len(part) < 3:
                continue
            for match in re.finditer(rf"\b{re.escape(part)}\b", text):
                yield Span(PiiKind.NAME, match.start(), match.end(), match.group())


def find(text: str, *, known_names: Iterable[str] = ()) -> list[Span]:
    """Return the personal data in ``text``, first match wins where two overlap, in text order."""
    taken: list[Span] = []
    for span in _spans(text, known_names):
        if not _overlaps(span, taken):
            taken.append(span)
    return sorted(taken, key=lambda span: span.start)


def mask(text: str, spans: Iterable[Span], *, granted: Iterable[str] = ()) -> str:
    """Replace each span whose kind is not granted by ``[kind]``."""
    allowed = set(granted)
    result = text
    for span in sorted(spans, key=lambda s: s.start, reverse=True):
        if span.kind.value in allowed or result[span.start : span.end] != span.text:
            continue
        result = result[: span.start] + f"[{span.kind.value}]" + result[span.end :]
    return result


def redact_cards(text: str) -> str:
    """Replace every card number (Luhn-checked) by ``[card ending 1234]``: what may be stored."""

    ibans = [m.span() for m in _IBAN.finditer(text) if iban_valid(m.group())]

    def redacted(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group())
        inside_iban = any(start < match.end() and match.start() < end for start, end in ibans)
        if inside_iban or not luhn_valid(digits):
            return match.group()
        return f"[card ending {digits[-4:]}]"

    return _CARD.sub(redacted, text)


def shorten(text: str, limit: int, *, known_names: Iterable[str] = ()) -> str:
    """Cut ``text`` to at most ``limit`` characters at a space, never inside personal data.

    A cut inside an email or an IBAN would leave a fragment that masking no longer recognises.
    """
    if len(text) <= limit:
        return text
    spans = [(span.start, span.end) for span in find(text, known_names=known_names)]
    return kit_text.shorten(text, limit, never_inside=spans)


def mask_text(text: str, *, granted: Iterable[str] = (), known_names: Iterable[str] = ()) -> str:
    """Find and mask personal data in one step."""
    return mask(text, find(text, known_names=known_names), granted=granted)
