from gigcx.errors import Conflict, NotFound


class EarningNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("earning not found")


class EarningNotReversible(Conflict):
    pass


class LedgerIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a ledger entry."""
