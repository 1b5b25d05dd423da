from datetime import datetime

from gigcx.errors import Conflict, NotAuthenticated


class InvalidCredentials(NotAuthenticated):
    def __init__(self) -> None:
        super().__init__("email or password is wrong")


class InvalidToken(NotAuthenticated):
    def __init__(self) -> None:
        super().__init__(
            "the bearer token or API key is unknown, expired or revoked; sign in again "
            "(POST /api/v1/auth/login) or create a new API key"
        )


class EmailTaken(Conflict):
    def __init__(self, email: str) -> None:
        super().__init__(f"a user with email {email!r} already exists; sign in instead")


class ApiKeyExpired(NotAuthenticated):
    def __init__(self, expired_at: datetime) -> None:
        super().__init__(
            f"this API key expired at {expired_at:%Y-%m-%d %H:%M} UTC; a brand admin can "
            "create a new one on the API keys page (or POST /api/v1/api-keys)"
        )
