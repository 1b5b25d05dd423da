"""Error types shared by every domain; each carries its HTTP status and a helpful detail."""


class DomainError(Exception):
    """A request that cannot be carried out; ``detail`` says what is wrong and how to fix it."""

    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(DomainError):
    """The request is well formed but asks for something that cannot be (HTTP 400)."""

    status_code = 400


class NotAuthenticated(DomainError):
    status_code = 401


class PermissionDenied(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    """The request clashes with the current state of the data (HTTP 409)."""

    status_code = 409


class DatabaseBusy(DomainError):
    """A row this request needs stayed locked too long; nothing was changed (HTTP 503)."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__(
            "the records this request needs are busy with other work; nothing was changed, "
            "try again in a moment"
        )


class DatabaseUnavailable(DomainError):
    """No database connection could be had: the database is down or refuses more clients, or
    every connection of the process's pool stayed busy (HTTP 503)."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__(
            "the database is not taking connections right now; nothing was changed, "
            "try again in a moment"
        )
