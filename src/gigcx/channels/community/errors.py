from gigcx.errors import Conflict, InvalidInput, NotFound


class AnnouncementNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such announcement; pick one from the list of your programs")


class FeedbackNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such feedback; pick one from the list")


class FeedbackClosed(Conflict):
    def __init__(self) -> None:
        super().__init__("this feedback is closed; it can no longer be answered")


class FeedbackTarget(InvalidInput):
    """Feedback names neither a program nor a ticket, or both."""

    def __init__(self) -> None:
        super().__init__("send feedback on a program (program_id) or on a ticket (ticket_id)")


class NotEnrolled(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "no such program among yours; feedback goes to programs you are enrolled in"
        )


class TicketNotWorked(NotFound):
    def __init__(self) -> None:
        super().__init__("no such ticket among those you worked; pick one you held")
