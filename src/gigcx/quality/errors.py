from gigcx.errors import Conflict


class TicketNotRateable(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"the ticket is {status}; customers rate resolved or closed tickets")


class AlreadyRated(Conflict):
    def __init__(self) -> None:
        super().__init__("this ticket already has a rating; a ticket is rated once")
