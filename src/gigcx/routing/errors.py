from gigcx.errors import Conflict


class OfferNotPending(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"this offer is {status}; only pending offers can be accepted or declined")


class OfferExpired(Conflict):
    def __init__(self, expired_at: str) -> None:
        super().__init__(f"this offer expired at {expired_at}; the ticket goes to the next expert")
