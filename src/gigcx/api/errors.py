"""Turn domain errors into JSON responses with a helpful ``detail``."""

from fastapi.responses import JSONResponse

from gigcx.errors import DomainError

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"description": "The request asks for something that cannot be"},
    401: {"description": "Not signed in"},
    403: {"description": "Signed in, but not allowed"},
    404: {"description": "Not found (or not yours to see)"},
    409: {"description": "Clashes with the current state"},
}


def error_response(error: DomainError) -> JSONResponse:
    """The JSON body of a domain error: its status and a detail that says how to fix it."""
    headers = None
    if error.status_code == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    elif error.status_code == 503:
        headers = {"Retry-After": "1"}
    return JSONResponse(
        status_code=error.status_code, content={"detail": error.detail}, headers=headers
    )
