from gigcx.errors import Conflict, InvalidInput, NotAuthenticated, NotFound


class AgreementNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("agreement not found")


class AgreementSuperseded(Conflict):
    def __init__(self, current: int) -> None:
        super().__init__(
            f"this version is no longer current; read and accept version {current} instead"
        )


class FullNameMismatch(InvalidInput):
    def __init__(self) -> None:
        super().__init__("type your full name (at least two characters) to accept the agreement")


class CountryMissing(Conflict):
    def __init__(self) -> None:
        super().__init__("add your country to your profile first: the attestation names it")


class WebhookNotConfigured(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "identity check webhooks are not set up on this server "
            "(the operator sets GIGCX_IDENTITY_WEBHOOK_SECRET)"
        )


class WebhookSignatureInvalid(NotAuthenticated):
    def __init__(self, reason: str) -> None:
        super().__init__(f"webhook refused: {reason}")


class WebhookReplayed(Conflict):
    def __init__(self) -> None:
        super().__init__("webhook refused: this webhook-id was already received")
