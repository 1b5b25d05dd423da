"""Take personal data out of a reply before it becomes a standard answer for everyone.

A reply was written to one customer: their name, order number, email or address must not reach
the next customer. Each removal is replaced by a placeholder (``{{customer_name}}`` for the
customer's name, which the bot fills in for the customer it answers; ``[order number]``,
``[email]``, ... otherwise) and reported with a masked original, so a reviewer sees what went.
"""

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from gigcx.privacy import pii

CUSTOMER_NAME = "{{customer_name}}"
ORDER_NUMBER = "order number"
_PLACEHOLDERS = {
    pii.PiiKind.EMAIL: "[email]",
    pii.PiiKind.PHONE: "[phone]",
    pii.PiiKind.CARD: "[card]",
    pii.PiiKind.IBAN: "[iban]",
    pii.PiiKind.ADDRESS: "[address]",
    pii.PiiKind.NAME: "[name]",
}
_NAME_WORD = r"[A-ZÀ-Ý][a-zà-ÿ'-]+"
# A greeting names the customer the reply was written to.
_GREETING = re.compile(
    rf"\b(?i:hi|hello|hey|dear|hola|estimad[oa]|querid[oa]|bonjour|salut|cher|chère|hallo|"
    rf"liebe|lieber|sehr geehrte[r]?|guten tag|ciao|olá|oi)\s+"
    rf"(?:(?i:mr|mrs|ms|herr|frau|señor|señora|sr|sra|monsieur|madame|mme)\.?\s+)?"
    rf"({_NAME_WORD}(?:\s+{_NAME_WORD})?)"
)
_NOT_NAMES = frozenset(
    {
        "there",
        "all",
        "everyone",
        "team",
        "customer",
        "friend",
        "friends",
        "sir",
        "madam",
        "kunde",
        "kundin",
        "zusammen",
        "cliente",
        "client",
        "todos",
        "again",
    }
)
# Order, account and tracking numbers: "#12345", "ORD-2024-0042", "AB123456", what follows
# "order", "pedido", "Bestellung", ..., and bare runs of 5+ digits that are no phone number.
_TAGGED_REFERENCE = re.compile(
    r"#\s?(?=[A-Za-z0-9-]*\d)[A-Za-z0-9-]{3,}"
    r"|\b(?=[A-Z0-9-]*\d{3})[A-Z]{1,6}-?[A-Z0-9]*\d[A-Z0-9-]*\b"
)
_DIGITS = re.compile(r"\b\d{5,}\b")
_REFERENCE_AFTER = re.compile(
    r"\b(?i:order|pedido|commande|bestellung|auftrag|account|cuenta|compte|konto|invoice|"
    r"factura|facture|rechnung|tracking|seguimiento|suivi|sendung)"
    r"(?:\s*(?i:number|no\.?|nr\.?|número|numéro|nummer|n°|nº|num\.?|#|:|is|es|est|ist))*"
    r"\s*([A-Za-z]*\d[A-Za-z0-9-]{2,})"
)


@dataclass(frozen=True)
class Removal:
    kind: str  # a PII kind, "customer_name" or "order number"
    placeholder: str
    shown: str  # the original, masked where it is a card, IBAN, email or phone

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Scrubbed:
    text: str
    removals: list[Removal]


def shown_original(kind: str, original: str) -> str:
    """What a reviewer is shown of a removed value: enough to judge, never a whole card."""
    compact = re.sub(r"\s", "", original)
    if kind in {pii.PiiKind.CARD, pii.PiiKind.IBAN}:
        return f"{compact[:2] if kind == pii.PiiKind.IBAN else ''}…{compact[-4:]}"
    if kind == pii.PiiKind.EMAIL:
        local, _, domain = original.partition("@")
        return f"{local[:1]}…@{domain}"
    if kind == pii.PiiKind.PHONE:
        digits = re.sub(r"\D", "", original)
        return f"…{digits[-3:]}"
    return original


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    kind: str
    placeholder: str


def _name_parts(names: Iterable[str]) -> list[str]:
    parts: set[str] = set()
    for name in names:
        name = name.strip()
        if name:
            parts.add(name)
            parts.update(part for part in name.split() if len(part) >= 3)
    return sorted(parts, key=len, reverse=True)


def _hits(text: str, customer_names: Iterable[str]) -> Iterable[_Hit]:
    """Candidates, surest first: an earlier hit wins where two overlap."""
    spans = pii.find(text)
    order_number = f"[{ORDER_NUMBER}]"
    sure = {pii.PiiKind.EMAIL, pii.PiiKind.IBAN, pii.PiiKind.CARD}
    for span in spans:
        if span.kind in sure:
            yield _Hit(span.start, span.end, span.kind.value, _PLACEHOLDERS[span.kind])
    for match in _TAGGED_REFERENCE.finditer(text):
        yield _Hit(match.start(), match.end(), ORDER_NUMBER, order_number)
    for match in _REFERENCE_AFTER.finditer(text):
        yield _Hit(match.start(1), match.end(1), ORDER_NUMBER, order_number)
    for span in spans:
        if span.kind == pii.PiiKind.PHONE:
            yield _Hit(span.start, span.end, span.kind.value, _PLACEHOLDERS[span.kind])
    for match in _DIGITS.finditer(text):
        yield _Hit(match.start(), match.end(), ORDER_NUMBER, order_number)
    for part in _name_parts(customer_names):
        for match in re.finditer(rf"\b{re.escape(part)}\b", text):
            yield _Hit(match.start(), match.end(), "customer_name", CUSTOMER_NAME)
    for match in _GREETING.finditer(text):
        words = match.group(1).split()
        if words[0].lower() not in _NOT_NAMES:
            last = words[-1].lower() in _NOT_NAMES
            end = match.start(1) + len(words[0]) if last else match.end(1)
            yield _Hit(match.start(1), end, "customer_name", CUSTOMER_NAME)
    for span in spans:
        if span.kind not in sure and span.kind != pii.PiiKind.PHONE:
            yield _Hit(span.start, span.end, span.kind.value, _PLACEHOLDERS[span.kind])


def scrub(text: str, *, customer_names: Iterable[str] = ()) -> Scrubbed:
    """Replace the customer's name and every other personal datum or reference in ``text``."""
    taken: list[_Hit] = []
    for hit in _hits(text, customer_names):
        if not any(hit.start < other.end and other.start < hit.end for other in taken):
            taken.append(hit)
    taken.sort(key=lambda hit: hit.start)
    pieces: list[str] = []
    removals: list[Removal] = []
    position = 0
    for hit in taken:
        original = text[hit.start : hit.end]
        pieces += [text[position : hit.start], hit.placeholder]
        removals.append(Removal(hit.kind, hit.placeholder, shown_original(hit.kind, original)))
        position = hit.end
    pieces.append(text[position:])
    return Scrubbed("".join(pieces), removals)


def fill_customer_name(text: str, first_name: str | None) -> str:
    """Put the customer's first name where an answer says ``{{customer_name}}``; without a
    name, drop the placeholder and the space before it ("Hi {{customer_name}}," -> "Hi,")."""
    if first_name:
        return text.replace(CUSTOMER_NAME, first_name)
    return re.sub(r"[ \t]*\{\{customer_name\}\}", "", text)
