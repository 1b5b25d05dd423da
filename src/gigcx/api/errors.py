"""Turn domain errors and malformed requests into JSON responses with a helpful ``detail``."""

from collections.abc import Sequence
from typing import Any

from fastapi.responses import JSONResponse

from gigcx.errors import DomainError
from gigcx.kit.text import printable

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"description": "The request asks for something that cannot be"},
    401: {"description": "Not signed in"},
    403: {"description": "Signed in, but not allowed"},
    404: {"description": "Not found (or not yours to see)"},
    409: {"description": "Clashes with the current state"},
}


class UnreadableRequest(DomainError):
    """A request whose fields do not have the form the route needs (HTTP 422)."""

    status_code = 422


def error_response(error: DomainError) -> JSONResponse:
    """The JSON body of a domain error: its status and a detail that says how to fix it."""
    headers: dict[str, str] | None = getattr(error, "headers", None)
    if error.status_code == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    elif error.status_code == 503:
        headers = {"Retry-After": "1"}
    return JSONResponse(
        status_code=error.status_code, content={"detail": error.detail}, headers=headers
    )


def plain_validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Each validation error as where, what and its kind; never the input echoed back.

    The input is left out (it may be a password, or text that cannot even be encoded), and
    every string is made encodable, so this answer can always be sent.
    """
    problems = []
    for error in errors:
        location = [
            part if isinstance(part, int) else printable(str(part)) for part in error["loc"]
        ]
        message = printable(str(error.get("msg", ""))).removeprefix("Value error, ")
        problems.append({"loc": location, "msg": message, "type": str(error.get("type", ""))})
    return problems


def field_name(location: Sequence[Any]) -> str:
    """``["body", "customer", "email"]`` -> ``customer.email``."""
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"} and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "request"
