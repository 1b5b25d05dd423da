"""Validated value types shared by schemas."""

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _language(value: str) -> str:
    value = value.strip().lower().replace("_", "-")
    if not _LANGUAGE.match(value):
        raise ValueError(f"{value!r} is not a language code; use ISO 639-1 such as 'en' or 'pt-br'")
    return value


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(f"{value!r} is not a slug; use lowercase letters, digits and hyphens")
    return value


def _currency(value: str) -> str:
    if len(value) != 3 or not value.isalpha():
        raise ValueError(f"{value!r} is not a currency; use a three-letter ISO 4217 code")
    return value.upper()


def _country(value: str) -> str:
    if len(value) != 2 or not value.isalpha():
        raise ValueError(f"{value!r} is not a country; use a two-letter ISO 3166 code")
    return value.upper()


LanguageCode = Annotated[str, AfterValidator(_language)]
Slug = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_slug)]
CurrencyCode = Annotated[str, AfterValidator(_currency)]
CountryCode = Annotated[str, AfterValidator(_country)]
Level = Annotated[int, Field(ge=1, le=5)]


class Schema(BaseModel):
    """Base for request and response bodies: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)
