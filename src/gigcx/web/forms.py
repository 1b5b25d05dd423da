"""Turn validation errors into plain sentences next to the form fields they concern.

Every message a form shows comes from ``plain_message``: pydantic's own wording ("Input should
be ...", "Field required") never reaches a page.
"""

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError


def _number(value: Any) -> str:
    """``5``, ``0.5``, ``12.50``: a bound as people write it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _count(n: Any, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _pick_at_least(ctx: Mapping[str, Any]) -> str:
    least = ctx.get("min_length", 1)
    return "Pick at least one." if least == 1 else f"Pick at least {least}."


def _value_error(ctx: Mapping[str, Any], message: str) -> str:
    """Our own validators' messages, made a sentence; email-validator's as they are."""
    text = message.removeprefix("Value error, ").strip()
    if text.startswith("value is not a valid email address"):
        reason = text.partition(": ")[2].strip()
        return "Enter a valid email address" + (f": {reason}" if reason else ".")
    if not text:
        return "Check this value."
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


CHOOSE = "Choose one of the options."
DATE = "Enter a date such as 2026-12-31."
DATE_TIME = "Enter a date and time such as 2026-12-31 17:30."
WHOLE_NUMBER = "Enter a whole number."
NUMBER = "Enter a number."

Phrase = Callable[[Mapping[str, Any]], str]

# Each pydantic error type as a plain sentence; anything else falls back to FALLBACK.
SENTENCES: dict[str, Phrase] = {
    "missing": lambda _: "Fill in this field.",
    "literal_error": lambda _: CHOOSE,
    "enum": lambda _: CHOOSE,
    "union_tag_invalid": lambda _: CHOOSE,
    "uuid_parsing": lambda _: CHOOSE,
    "uuid_type": lambda _: CHOOSE,
    "uuid_version": lambda _: CHOOSE,
    "too_short": _pick_at_least,
    "too_long": lambda ctx: f"Pick at most {ctx.get('max_length')}.",
    "string_too_short": lambda ctx: (
        "Fill in this field."
        if ctx.get("min_length", 1) == 1
        else f"Use at least {_count(ctx.get('min_length'), 'character', 'characters')}."
    ),
    "string_too_long": lambda ctx: (
        f"Use at most {_count(ctx.get('max_length'), 'character', 'characters')}."
    ),
    "string_pattern_mismatch": lambda _: "Check the format of this value.",
    "string_type": lambda _: "Write text here.",
    "string_unicode": lambda _: "Write text here.",
    "int_parsing": lambda _: WHOLE_NUMBER,
    "int_type": lambda _: WHOLE_NUMBER,
    "int_from_float": lambda _: WHOLE_NUMBER,
    "int_parsing_size": lambda _: "Enter a smaller number.",
    "float_parsing": lambda _: NUMBER,
    "float_type": lambda _: NUMBER,
    "finite_number": lambda _: NUMBER,
    "decimal_parsing": lambda _: NUMBER,
    "decimal_type": lambda _: NUMBER,
    "decimal_max_digits": lambda ctx: (
        f"Use at most {_count(ctx.get('max_digits'), 'digit', 'digits')}."
    ),
    "decimal_max_places": lambda ctx: (
        f"Use at most {_count(ctx.get('decimal_places'), 'decimal place', 'decimal places')}."
    ),
    "decimal_whole_digits": lambda ctx: (
        f"Use at most {_count(ctx.get('whole_digits'), 'digit', 'digits')} before the "
        "decimal point."
    ),
    "greater_than": lambda ctx: f"Enter a number above {_number(ctx.get('gt'))}.",
    "greater_than_equal": lambda ctx: f"Enter {_number(ctx.get('ge'))} or more.",
    "less_than": lambda ctx: f"Enter a number below {_number(ctx.get('lt'))}.",
    "less_than_equal": lambda ctx: f"Enter {_number(ctx.get('le'))} or less.",
    "multiple_of": lambda ctx: f"Enter a multiple of {_number(ctx.get('multiple_of'))}.",
    "bool_parsing": lambda _: "Choose yes or no.",
    "bool_type": lambda _: "Choose yes or no.",
    "date_parsing": lambda _: DATE,
    "date_type": lambda _: DATE,
    "date_from_datetime_parsing": lambda _: DATE,
    "date_from_datetime_inexact": lambda _: DATE,
    "date_past": lambda _: "Enter a date in the past.",
    "date_future": lambda _: "Enter a date in the future.",
    "datetime_parsing": lambda _: DATE_TIME,
    "datetime_type": lambda _: DATE_TIME,
    "datetime_from_date_parsing": lambda _: DATE_TIME,
    "datetime_object_invalid": lambda _: DATE_TIME,
    "datetime_past": lambda _: "Enter a time in the past.",
    "datetime_future": lambda _: "Enter a time in the future.",
    "time_parsing": lambda _: "Enter a time such as 17:30.",
    "time_type": lambda _: "Enter a time such as 17:30.",
    "timezone_naive": lambda _: "Enter the time without a time zone.",
    "timezone_aware": lambda _: "Enter the time with its time zone.",
    "time_delta_parsing": lambda _: "Enter a duration.",
    "time_delta_type": lambda _: "Enter a duration.",
    "url_parsing": lambda _: "Enter a web address such as https://example.com.",
    "url_scheme": lambda _: "Enter a web address such as https://example.com.",
    "url_type": lambda _: "Enter a web address such as https://example.com.",
    "url_syntax_violation": lambda _: "Enter a web address such as https://example.com.",
    "url_too_long": lambda ctx: (
        f"Use at most {_count(ctx.get('max_length'), 'character', 'characters')}."
    ),
    "list_type": lambda _: "Pick from the options.",
    "set_type": lambda _: "Pick from the options.",
    "frozen_set_type": lambda _: "Pick from the options.",
    "tuple_type": lambda _: "Pick from the options.",
    "extra_forbidden": lambda _: "This field is not part of the form; leave it out.",
}
FALLBACK = "Check this value: it cannot be used as it is."

# How long a person's or a brand's name may be on the staff and brand forms.
NAME_LIMIT = 120
_EMAIL = TypeAdapter(EmailStr)


def is_email(text: str) -> bool:
    """Whether ``text`` is an email address that accounts accept."""
    try:
        _EMAIL.validate_python(text)
    except ValidationError:
        return False
    return True


def plain_message(error: Mapping[str, Any]) -> str:
    """One validation error (``ValidationError.errors()`` item) as a plain sentence."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind in {"value_error", "assertion_error"}:
        return _value_error(ctx, str(error.get("msg", "")))
    phrase = SENTENCES.get(kind)
    return phrase(ctx) if phrase is not None else FALLBACK


def field_errors(
    error: ValidationError, *, aliases: dict[str, str] | None = None
) -> dict[str, str]:
    """Map each pydantic error to its form field ("languages.de" → "languages.de", …).

    ``aliases`` renames dotted locations to the form's field names.
    """
    aliases = aliases or {}
    messages: dict[str, str] = {}
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"])
        name = aliases.get(location, location) or "form"
        messages.setdefault(name, plain_message(item))
    return messages


def plain_summary(error: ValidationError, *, labels: Mapping[str, str] | None = None) -> str:
    """Every error as a sentence that names its field ("Reason: Use at least 10 characters."),
    for a form refused on a page of its own."""
    labels = labels or {}
    lines = []
    for name, message in field_errors(error).items():
        field = name.split(".")[0]
        label = labels.get(field) or field.replace("_", " ").capitalize()
        lines.append(f"{label}: {message}")
    return " ".join(lines)
