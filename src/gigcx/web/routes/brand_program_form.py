"""The program form: what the brand admin typed, turned into ProgramCreate/ProgramUpdate.

The form keeps every value as typed, so a refused change shows again with the messages next to
the fields they concern. Pydantic locations and the service's rule errors map to field names.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from gigcx.brands.enums import Channel, Complexity
from gigcx.brands.models import DEFAULT_ROUTING_WEIGHTS, Program
from gigcx.errors import DomainError
from gigcx.web.forms import plain_message

COMPLEXITIES = tuple(c.value for c in Complexity)
WEIGHTS = tuple(DEFAULT_ROUTING_WEIGHTS)
BLANK_ROWS = 2
MAX_ROWS = 100
GIG, INHOUSE = "gig", "inhouse"
# Form field → (program field in seconds, seconds per unit, unit name).
TIMES = {
    "offer_ttl_seconds": ("offer_ttl_seconds", 1, "seconds"),
    "first_response_minutes": ("first_response_seconds", 60, "minutes"),
    "resolution_hours": ("resolution_seconds", 3600, "hours"),
    "max_wait_minutes": ("max_wait_seconds", 60, "minutes"),
    "aging_minutes": ("aging_seconds", 60, "minutes"),
}
DEFAULT_SECONDS = {
    "offer_ttl_seconds": 120,
    "first_response_seconds": 15 * 60,
    "resolution_seconds": 24 * 3600,
    "max_wait_seconds": 30 * 60,
    "aging_seconds": 10 * 60,
}
PLAIN = ("name", "slug", "currency", "description", "max_offers", "offers_at_once")
CATEGORY_FIELDS = {"key": "key", "name": "name", "required_skill_level": "level"}
_ROW_KEY = re.compile(r"^cat-(\d+)-key$")
_NO_RATE = re.compile(r"category '([^']+)' goes to experts but has no rate for complexity (\w+)")


@dataclass
class CategoryRow:
    key: str = ""
    name: str = ""
    route: str = GIG
    level: str = "1"
    rates: dict[str, str] = field(default_factory=lambda: dict.fromkeys(COMPLEXITIES, ""))

    @property
    def is_blank(self) -> bool:
        return not (self.key.strip() or self.name.strip())


def _times(seconds: dict[str, int]) -> dict[str, str]:
    return {name: _units(seconds[target], per) for name, (target, per, _) in TIMES.items()}


def _units(seconds: int, per: int) -> str:
    if seconds % per == 0:
        return str(seconds // per)
    return str((Decimal(seconds) / per).quantize(Decimal("0.0001")).normalize())


@dataclass
class ProgramForm:
    """The program form's values, as strings the way the browser sends them."""

    values: dict[str, str]
    channels: list[str]
    is_open: bool
    rows: list[CategoryRow]

    @classmethod
    def blank(cls, currency: str) -> "ProgramForm":
        values = {name: "" for name in PLAIN} | {"currency": currency, "languages": "en"}
        values |= _times(DEFAULT_SECONDS) | {
            "max_offers": "5",
            "offers_at_once": "1",
            "inhouse_cost_per_contact": "",
        }
        values |= {f"weight-{t}": str(w) for t, w in DEFAULT_ROUTING_WEIGHTS.items()}
        return cls(values, [Channel.CHAT.value], True, [CategoryRow() for _ in range(BLANK_ROWS)])

    @classmethod
    def of(cls, program: Program) -> "ProgramForm":
        cost = program.inhouse_cost_per_contact
        values = {
            "name": program.name,
            "slug": program.slug,
            "currency": program.currency,
            "description": program.description,
            "languages": ", ".join(program.languages),
            "max_offers": str(program.max_offers),
            "offers_at_once": str(program.offers_at_once),
            "routing_policy": str(program.routing_policy),
            "inhouse_cost_per_contact": "" if cost is None else str(cost),
        }
        values |= _times({target: getattr(program, target) for target, _, _ in TIMES.values()})
        weights = program.routing_weights or DEFAULT_ROUTING_WEIGHTS
        values |= {f"weight-{t}": str(weights.get(t, 0)) for t in WEIGHTS}
        rows = []
        for category in program.categories:
            rates = {c: "" for c in COMPLEXITIES} | {
                str(r.complexity): str(r.amount)
                for r in program.rates
                if r.category_key == category.key
            }
            route = GIG if category.is_gig_eligible else INHOUSE
            level = str(category.required_skill_level)
            rows.append(CategoryRow(category.key, category.name, route, level, rates))
        rows += [CategoryRow() for _ in range(BLANK_ROWS)]
        return cls(values, list(program.channels), program.is_open, rows)

    @classmethod
    def submitted(cls, form: FormData) -> "ProgramForm":
        text = {key: str(value) for key, value in form.items() if isinstance(value, str)}
        names = (
            set(PLAIN) | set(TIMES) | {"languages", "inhouse_cost_per_contact", "routing_policy"}
        )
        values = {name: text.get(name, "") for name in names}
        values |= {f"weight-{t}": text.get(f"weight-{t}", "") for t in WEIGHTS}
        numbers = sorted({int(m.group(1)) for k in text if (m := _ROW_KEY.match(k))})
        rows = [
            CategoryRow(
                key=text.get(f"cat-{i}-key", "").strip(),
                name=text.get(f"cat-{i}-name", "").strip(),
                route=text.get(f"cat-{i}-route", GIG),
                level=text.get(f"cat-{i}-level", "1"),
                rates={c: text.get(f"rate-{i}-{c}", "").strip() for c in COMPLEXITIES},
            )
            for i in numbers[:MAX_ROWS]
        ]
        kept = [row for row in rows if not row.is_blank]
        rows = kept + [CategoryRow() for _ in range(BLANK_ROWS)]
        channels = [str(c) for c in form.getlist("channels")]
        return cls(values, channels, text.get("is_open") == "true", rows)


@dataclass
class Payload:
    """The body for the service, the errors found on the way, and where each list item came from."""

    data: dict[str, Any]
    errors: dict[str, str]
    category_rows: list[int]
    rate_fields: list[str]


def build_payload(form: ProgramForm, *, is_new: bool) -> Payload:
    """Turn the form into a ProgramCreate/ProgramUpdate body (validation comes after)."""
    values = form.values
    errors: dict[str, str] = {}
    data: dict[str, Any] = {
        "name": values["name"].strip(),
        "description": values["description"],
        "languages": [code for code in re.split(r"[\s,;]+", values["languages"]) if code],
        "channels": form.channels,
        "is_open": form.is_open,
        "max_offers": values["max_offers"].strip(),
        "offers_at_once": values["offers_at_once"].strip(),
        "routing_weights": {t: values[f"weight-{t}"].strip() for t in WEIGHTS},
        "inhouse_cost_per_contact": values["inhouse_cost_per_contact"].strip() or None,
    }
    if values.get("routing_policy", "").strip():
        data["routing_policy"] = values["routing_policy"].strip()
    if is_new:
        data["slug"] = values["slug"].strip()
        data["currency"] = values["currency"].strip() or None
    for name, (target, per, unit) in TIMES.items():
        try:
            data[target] = int((Decimal(values[name].strip()) * per).to_integral_value())
        except InvalidOperation:
            errors[name] = f"Give a number of {unit}."
    categories, category_rows, rates, rate_fields = [], [], [], []
    for index, row in enumerate(form.rows):
        if row.is_blank:
            continue
        is_gig = row.route != INHOUSE
        categories.append(
            {
                "key": row.key,
                "name": row.name,
                "is_gig_eligible": is_gig,
                "required_skill_level": row.level,
            }
        )
        category_rows.append(index)
        for complexity, amount in row.rates.items():
            if is_gig and amount:
                rates.append({"category_key": row.key, "complexity": complexity, "amount": amount})
                rate_fields.append(f"rate-{index}-{complexity}")
    data["categories"] = categories
    data["rates"] = rates
    return Payload(data, errors, category_rows, rate_fields)


LABELS = {
    "name": "Name",
    "slug": "Address (slug)",
    "currency": "Currency",
    "description": "Description",
    "languages": "Languages",
    "channels": "Channels",
    "categories": "Categories",
    "weights": "Routing weights",
    "first_response_minutes": "First response within",
    "resolution_hours": "Resolution within",
    "max_offers": "Offers before escalating",
    "max_wait_minutes": "Longest wait before escalating",
    "aging_minutes": "Queued work gains a priority step every",
    "offers_at_once": "Experts offered at once",
    "offer_ttl_seconds": "Time to answer an offer",
    "routing_policy": "Routing policy",
    "inhouse_cost_per_contact": "In-house cost per contact",
}
_CELL = re.compile(r"^(cat|rate)-(\d+)-(\w+)$")


def field_label(name: str) -> str:
    """A short human name for a form field, for the list of problems above the form."""
    if cell := _CELL.match(name):
        kind, row, part = cell.groups()
        what = f"rate, {part}" if kind == "rate" else {"level": "required level"}.get(part, part)
        return f"Category {int(row) + 1}: {what}"
    if name.startswith("weight-"):
        return f"Weight of {name.removeprefix('weight-')}"
    return LABELS.get(name, name)


def _field_for(location: Sequence[int | str], payload: Payload) -> str:
    if not location:
        return "form"
    head = str(location[0])
    if head == "categories" and len(location) >= 3 and isinstance(location[1], int):
        row = payload.category_rows[location[1]]
        return f"cat-{row}-{CATEGORY_FIELDS.get(str(location[2]), 'key')}"
    if head == "rates" and len(location) >= 2 and isinstance(location[1], int):
        return payload.rate_fields[location[1]]
    if head == "routing_weights" and len(location) >= 2:
        return f"weight-{location[1]}"
    for name, (target, _, _) in TIMES.items():
        if head == target:
            return name
    return head


def _message(field_name: str, item: Mapping[str, Any]) -> str:
    if field_name in TIMES:
        _, per, unit = TIMES[field_name]
        return f"Give between {_units(10, per)} and {_units(90 * 24 * 3600, per)} {unit}."
    return plain_message(item)


def validation_errors(error: ValidationError, payload: Payload) -> dict[str, str]:
    """Each pydantic error as a plain sentence keyed by the form field it concerns."""
    messages: dict[str, str] = {}
    for item in error.errors():
        name = _field_for(item["loc"], payload)
        messages.setdefault(name, _message(name, item))
    return messages


def rule_errors(error: DomainError, form: ProgramForm) -> dict[str, str]:
    """Place a refused rule next to the field it concerns; otherwise above the form."""
    detail = error.detail
    rows = [(i, row) for i, row in enumerate(form.rows) if not row.is_blank]
    if missing := _NO_RATE.search(detail):
        key, complexity = missing.groups()
        for index, row in rows:
            if row.key == key:
                return {f"rate-{index}-{complexity}": detail}
    if detail.startswith("category keys must be unique"):
        seen: set[str] = set()
        messages = {}
        for index, row in rows:
            if row.key in seen:
                messages[f"cat-{index}-key"] = "This key is used above; give each a unique key."
            seen.add(row.key)
        if messages:
            return messages
    if detail.startswith("routing weights"):
        return {"weights": detail}
    if "slug" in detail:
        return {"slug": detail}
    return {"form": detail}
