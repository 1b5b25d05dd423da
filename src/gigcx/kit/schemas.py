"""Validated value types shared by schemas, and the base every request and response body uses.

Every rule a value type applies is also written into its JSON Schema (a pattern, bounds, an
enum), so the OpenAPI document promises exactly what the server accepts.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, TypeVar
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from gigcx.kit.text import NUL_FREE_PATTERN, first_text_problem

LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,4})?$"  # at most 8 characters, as stored
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_LANGUAGE = re.compile(LANGUAGE_PATTERN)
_SLUG = re.compile(SLUG_PATTERN)


def _language(value: str) -> str:
    if not _LANGUAGE.match(value):
        raise ValueError(f"{value!r} is not a language code; use ISO 639-1 such as 'en' or 'pt-br'")
    return value.lower().replace("_", "-")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(f"{value!r} is not a slug; use lowercase letters, digits and hyphens")
    return value


def _currency(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{3}", value):
        raise ValueError(f"{value!r} is not a currency; use a three-letter ISO 4217 code")
    return value.upper()


def _country(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise ValueError(f"{value!r} is not a country; use a two-letter ISO 3166 code")
    return value.upper()


TIMEZONES = frozenset(available_timezones())


def _timezone(value: str) -> str:
    if value not in TIMEZONES:
        raise ValueError(f"{value!r} is not an IANA time zone; use a name such as 'Europe/Berlin'")
    return value


LanguageCode = Annotated[
    str,
    AfterValidator(_language),
    WithJsonSchema({"type": "string", "pattern": LANGUAGE_PATTERN, "examples": ["en", "pt-br"]}),
]
Slug = Annotated[
    str, Field(min_length=1, max_length=64, pattern=SLUG_PATTERN), AfterValidator(_slug)
]
CurrencyCode = Annotated[
    str,
    AfterValidator(_currency),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{3}$", "examples": ["EUR"]}),
]
CountryCode = Annotated[
    str,
    AfterValidator(_country),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{2}$", "examples": ["PT"]}),
]
TimeZoneName = Annotated[
    str,
    AfterValidator(_timezone),
    WithJsonSchema({"type": "string", "enum": sorted(TIMEZONES), "examples": ["Europe/Berlin"]}),
]
Level = Annotated[int, Field(ge=1, le=5)]


def decimal_from_float(places: int) -> Any:
    """Read a JSON number as the decimal it stands for (0.57, not 0.5700000000000001)."""
    step = Decimal(1).scaleb(-places)

    def read(value: Any) -> Any:
        if isinstance(value, float) and value == value and abs(value) != float("inf"):
            exact = Decimal(repr(value))
            try:
                rounded = exact.quantize(step)
            except InvalidOperation:  # too many digits: the field's own limits refuse it
                return exact
            if abs(exact - rounded) < Decimal("1e-9"):
                return rounded
            return exact
        return value

    return BeforeValidator(read)


def _decimal_schema(number: dict[str, Any], pattern: str, example: str) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "anyOf": [{"type": "number", **number}, {"type": "string", "pattern": pattern}],
            "examples": [example],
        }
    )


# Money: at most 2 decimal places, as a string ("12.50") or a number.
Money = Annotated[
    Decimal,
    decimal_from_float(2),
    Field(ge=0, max_digits=12, decimal_places=2),
    _decimal_schema(
        {"minimum": 0, "maximum": 9_999_999_999.99, "multipleOf": 0.01},
        r"^\d{1,10}(\.\d{1,2})?$",
        "12.50",
    ),
]
PositiveMoney = Annotated[
    Decimal,
    decimal_from_float(2),
    Field(gt=0, max_digits=12, decimal_places=2),
    _decimal_schema(
        {"exclusiveMinimum": 0, "maximum": 9_999_999_999.99, "multipleOf": 0.01},
        r"^([1-9]\d{0,9}(\.\d{1,2})?|0?\.(0[1-9]|[1-9]\d?))$",
        "25.00",
    ),
]
# A share between 0 and 1 with up to 4 decimal places.
Share = Annotated[
    Decimal,
    decimal_from_float(4),
    Field(ge=0, le=1, max_digits=5, decimal_places=4),
    _decimal_schema(
        {"minimum": 0, "maximum": 1, "multipleOf": 0.0001}, r"^(0(\.\d{1,4})?|1(\.0{1,4})?)$", "0.5"
    ),
]

# Optional on update, but never null: leaving it out keeps the stored value. The JSON Schema
# shows the type without null; an explicit null is refused with a message that says so.
T = TypeVar("T")


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise ValueError("cannot be null; leave the field out to keep its value")
    return value


class _NullNotShown:
    """Drop the null branch from a field's JSON Schema (validation keeps it: see Omittable)."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        branches = [b for b in schema.get("anyOf", []) if b.get("type") != "null"]
        if "anyOf" in schema and len(branches) == 1:
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            return {**branches[0], **rest}
        return schema


Omittable = Annotated[T | None, BeforeValidator(_refuse_null), _NullNotShown()]

# What email-validator (pydantic's EmailStr) adds to the JSON Schema "email" format.
EMAIL_RULE = (
    "An email address at a public domain: special-use names (.test, .local, .localhost, "
    ".invalid, .onion, .arpa) and quoted local parts are refused."
)

# The earliest and latest instants stored; filters beyond them mean "from the start"/"to the end".
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def _instant(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return EARLIEST if value.year < 5000 else LATEST


# A point in time for filters: aware UTC; a time without a zone is read as UTC.
Instant = Annotated[datetime, AfterValidator(_instant)]


def _mark_text_fields(schema: dict[str, Any]) -> None:
    """Write the text rule into every free string of a JSON Schema (not into $ref targets)."""
    if schema.get("type") == "string" and not (
        {"pattern", "format", "enum", "const"} & set(schema)
    ):
        schema["pattern"] = NUL_FREE_PATTERN
    if schema.get("format") == "email":
        schema.setdefault("description", EMAIL_RULE)
    if schema.get("type") == "object" and "patternProperties" in schema:
        # Keys of a dict with validated keys: only those the patterns describe.
        schema.setdefault("additionalProperties", False)
    elif schema.get("type") == "object" and "additionalProperties" in schema:
        schema.setdefault("propertyNames", {"pattern": NUL_FREE_PATTERN})
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for item in schema.get(key, []):
            _mark_text_fields(item)
    for key in ("items", "additionalProperties", "propertyNames"):
        if isinstance(schema.get(key), dict):
            _mark_text_fields(schema[key])
    for key in ("properties", "patternProperties"):
        for item in schema.get(key, {}).values():
            _mark_text_fields(item)


def _allows_null(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "null" or any(_allows_null(x) for x in schema.get("anyOf", []))


def _schema_extra(schema: dict[str, Any], model: type[Any]) -> None:
    for item in schema.get("properties", {}).values():
        if not getattr(model, "shows_stored_text", False):
            _mark_text_fields(item)
        # An omittable field (see Omittable) has no default to show: leaving it out keeps it.
        if "default" in item and item["default"] is None and not _allows_null(item):
            del item["default"]


class Schema(BaseModel):
    """Base for request and response bodies.

    Unknown fields are an error, and so is text that cannot be stored: a NUL character or an
    unpaired surrogate anywhere in a field (list items and dict keys included). Responses
    (``XRead``, by the naming rule) show what is stored as it is, so they do not check it.
    """

    model_config = ConfigDict(extra="forbid", from_attributes=True, json_schema_extra=_schema_extra)
    shows_stored_text: ClassVar[bool] = False

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "shows_stored_text" not in cls.__dict__:
            cls.shows_stored_text = cls.__name__.endswith(("Read", "Created"))

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_unstorable_text(cls, value: Any) -> Any:
        if cls.shows_stored_text:
            return value
        problem = first_text_problem(value)
        if problem is not None:
            raise ValueError(f"the text {problem}")
        return value
