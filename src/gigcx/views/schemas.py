"""Schemas of what only one kind of viewer is shown."""

from gigcx.tickets.schemas import OfferRead, PayQuoteRead


class ExpertOfferRead(OfferRead):
    """An offer as its expert sees it: the ticket's gist (masked) and what the task pays."""

    subject: str
    gist: str
    category: str
    language: str
    complexity: str
    pay: PayQuoteRead | None
