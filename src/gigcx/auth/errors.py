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
