from gigcx.errors import Conflict, NotFound


class SubjectNotFound(NotFound):
    """No customer or expert with this email."""


class PrivacyRequestNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("privacy request not found; list your brand's requests for their ids")


class ArchiveUnavailable(Conflict):
    """The export is not ready yet, or its archive was deleted."""


class UnderLegalHold(Conflict):
    """A legal hold keeps the data: it may be neither erased nor removed by retention."""


class HoldNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("legal hold not found; list your brand's holds for their ids")


class ExpertStillWorking(Conflict):
    """An expert holding tickets cannot be erased until they are handed on."""
