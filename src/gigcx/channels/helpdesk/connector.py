"""The one interface every helpdesk adapter (Zendesk now, Freshdesk and others later) offers.

An adapter speaks to one account over HTTP and knows nothing of our database: the services
read and write rows, and call the connector between units of work (in jobs), never inside a
request. Every write carries a ``marker``, a tag written in the same update as the comment or
change, so that after a crash ``written_markers`` tells whether the helpdesk already took it;
a later write on the ticket removes the markers of writes known done (``forget``).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ExternalUser:
    id: int
    name: str
    email: str | None


@dataclass(frozen=True, slots=True)
class ExternalTicket:
    id: int
    subject: str
    description: str
    status: str
    priority: str | None
    requester: ExternalUser | None
    requester_id: int
    group_id: int | None
    form_id: int | None
    tags: tuple[str, ...]
    updated_at: str


@dataclass(frozen=True, slots=True)
class ExternalComment:
    id: int
    author_id: int
    body: str
    is_public: bool
    created_at: str


@dataclass(frozen=True, slots=True)
class ChangesPage:
    """Tickets changed since the cursor, and where the next pull starts."""

    tickets: list[ExternalTicket]
    next_cursor: str | None
    is_end: bool


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What the helpdesk answered to a write: the comment it made, if any."""

    comment_id: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


class HelpdeskConnector(Protocol):
    def pull_changes(self, cursor: str | None, *, start_time: int) -> ChangesPage:
        """Tickets changed after ``cursor`` (or, on the first pull, after ``start_time``)."""
        ...

    def list_comments(self, ticket_id: int) -> list[ExternalComment]:
        """Every comment of a ticket, oldest first."""
        ...

    def post_comment(
        self, ticket_id: int, body: str, *, is_public: bool, marker: str, forget: Sequence[str] = ()
    ) -> WriteResult:
        """Add a public reply or a private note as the connection's agent."""
        ...

    def set_status(
        self, ticket_id: int, status: str, *, marker: str, forget: Sequence[str] = ()
    ) -> WriteResult:
        """Move the ticket to a helpdesk status (``solved``)."""
        ...

    def hand_back(
        self,
        ticket_id: int,
        group_id: int | None,
        note: str,
        *,
        marker: str,
        forget: Sequence[str] = (),
    ) -> WriteResult:
        """Give the ticket back to the brand's group with a private note saying why."""
        ...

    def written_markers(self, ticket_id: int) -> set[str]:
        """The markers of our writes that landed on the ticket (and were not removed since)."""
        ...

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        """Whether a webhook call is signed by the helpdesk (push instead of polling)."""
        ...
