"""Turn validation errors into messages next to the form fields they concern."""

from pydantic import ValidationError


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
        message = str(item["msg"]).removeprefix("Value error, ")
        messages.setdefault(name, message)
    return messages
