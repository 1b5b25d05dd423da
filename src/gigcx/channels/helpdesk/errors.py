"""What can go wrong with a helpdesk: the account's answers (for jobs) and bad settings."""

from gigcx.errors import InvalidInput, NotFound


class HelpdeskError(Exception):
    """A call to the helpdesk did not do what was asked."""

    is_permanent = False


class HelpdeskUnavailable(HelpdeskError):
    """No answer, a dropped connection or a 5xx: try again later."""


class HelpdeskRateLimited(HelpdeskError):
    """The account's budget is spent (429, or our own limiter): wait ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited: try again in {retry_after:g} s")
        self.retry_after = retry_after


class HelpdeskRefused(HelpdeskError):
    """A 4xx other than 429: wrong credentials, a deleted or closed ticket. Retrying won't help."""

    is_permanent = True

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(f"HTTP {status_code}: {detail}")
        self.status_code = status_code


class ConnectionNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no helpdesk connection here; connect one on the Zendesk page first")


class InvalidConnection(InvalidInput):
    """Settings that cannot work, with what to change."""
