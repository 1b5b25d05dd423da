from gigcx.errors import DomainError, NotFound, PermissionDenied


class WidgetNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "no chat widget is switched on with this key; copy the snippet again from the "
            "brand console's Live chat page (the key is its data-brand value)"
        )


class ChatSessionNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "no chat with this id and visitor token; start a new chat from the pre-chat form"
        )


class OriginRefused(PermissionDenied):
    def __init__(self, origin: str) -> None:
        super().__init__(
            f"the site {origin} may not use this chat widget; the brand adds it under "
            "Live chat, allowed origins, in its console"
        )


class ChatRateLimited(DomainError):
    """Too many chats or messages in a short time (HTTP 429, with Retry-After)."""

    status_code = 429

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(f"{what}; try again in {retry_after} seconds")
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class MissingIdempotencyKey(DomainError):
    status_code = 400

    def __init__(self) -> None:
        super().__init__(
            "send an Idempotency-Key header (1 to 100 characters, for example a random UUID) "
            "with each message, the same one when you retry it"
        )
