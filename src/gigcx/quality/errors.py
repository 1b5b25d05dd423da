from gigcx.errors import Conflict, InvalidInput, NotFound


class TicketNotRateable(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"the ticket is {status}; customers rate resolved or closed tickets")


class AlreadyRated(Conflict):
    def __init__(self) -> None:
        super().__init__("this ticket already has a rating; a ticket is rated once")


class ScorecardNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("this program has no QA scorecard yet; the brand sets one up first")


class ReviewNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such review, or it is not visible to you")


class ReviewNotOpen(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"the review is {status}; only open reviews can be claimed or completed")


class ReviewTaken(Conflict):
    def __init__(
        self, detail: str = "another reviewer has claimed this review; pick another from the queue"
    ) -> None:
        super().__init__(detail)


class NotAReviewer(Conflict):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)


class BadReviewAnswers(InvalidInput):
    pass


class TicketNotReviewable(Conflict):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)


class DisputeNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such dispute, or it is not visible to you")


class AlreadyDisputed(Conflict):
    def __init__(self) -> None:
        super().__init__("this was already appealed; each review or rating can be appealed once")


class NotDisputable(Conflict):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)


class DisputeDecided(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"this dispute was already decided ({status}); decisions are final")


class CalibrationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such calibration, or it is not visible to you")


class HumanReviewNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such review case, or it is not visible to you")


class HumanReviewDecided(Conflict):
    def __init__(self, outcome: str) -> None:
        super().__init__(f"this case was already decided ({outcome}); each is decided once")


class HumanReviewNotAllowed(Conflict):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)


class BadHumanReviewOutcome(InvalidInput):
    def __init__(self, kind: str, allowed: list[str]) -> None:
        super().__init__(f"a {kind} is decided as one of: {', '.join(allowed)}")
