"""What a viewer may see of a ticket: decided here, once, for every kind of viewer.

A ``Sight`` says which kinds of personal data the viewer sees unmasked, whether internal notes
are shown, how much of the conversation (up to when) and how the customer is named. Every view
(expert, staff, customer) renders texts through it; routes and templates never mask by
themselves.

- The brand's people (staff, platform admins, the system) see everything.
- The customer sees their own conversation unmasked, without internal notes.
- An expert sees a ticket offered to them now or one they hold or held, with the personal data
  the program does not grant masked in every text (whoever wrote it), the customer's first name
  only, and internal notes only once they held the ticket. After their assignment ended they
  see the conversation up to its end, nothing written later. A declined, expired or rescinded
  offer shows nothing.
- A senior expert reviewing a peer's ticket sees the conversation the customer saw up to the
  review's opening, with every kind of personal data masked and no internal notes.

Each sight that shows a person (staff, or an expert whose program grants some kinds) the
customer's personal data unmasked is noted for the audit log, once per customer per request
(not an API key's: see ``_note_unmasked``).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.audit import service as audit_service
from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.kit import clock
from gigcx.privacy import pii
from gigcx.quality.enums import ReviewStatus
from gigcx.quality.models import Review
from gigcx.tickets.enums import OfferStatus
from gigcx.tickets.models import Assignment, Customer, Message, Offer, Ticket

ALL_KINDS = assist_service.ALL_PII_KINDS
NOTHING = frozenset[str]()


class Viewer(StrEnum):
    BRAND = "brand"
    CUSTOMER = "customer"
    EXPERT = "expert"
    PEER_REVIEWER = "peer_reviewer"
    NOBODY = "nobody"


@dataclass(frozen=True, slots=True)
class ShownMessage:
    """A message as one viewer sees it (same field names as the stored message)."""

    id: uuid.UUID
    author_kind: str
    author_id: uuid.UUID | None
    body: str
    is_internal: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Sight:
    """What one viewer may see of one ticket."""

    viewer: Viewer
    unmasked: frozenset[str]
    shows_internal: bool
    shows_conversation: bool
    # Messages written after this moment are not shown (None: the whole conversation).
    until: datetime | None
    known_names: tuple[str, ...]
    customer_name: str
    customer_email: str | None

    @property
    def is_masked(self) -> bool:
        return self.unmasked != ALL_KINDS

    def text(self, value: str) -> str:
        """A text of the ticket (subject, message, note, comment) as this viewer may read it."""
        if not self.is_masked or not value:
            return value
        return pii.mask_text(value, granted=self.unmasked, known_names=self.known_names)

    def gist(self, value: str, limit: int) -> str:
        """The start of a text, masked first so that no cut can hide personal data."""
        return pii.shorten(self.text(value), limit)

    def shows(self, message: Message) -> bool:
        if not self.shows_conversation or (message.is_internal and not self.shows_internal):
            return False
        return self.until is None or message.created_at <= self.until

    def messages(self, ticket: Ticket) -> list[ShownMessage]:
        """The conversation as this viewer may see it, oldest first."""
        return [
            ShownMessage(
                id=m.id,
                author_kind=m.author_kind,
                author_id=m.author_id,
                body=self.text(m.body),
                is_internal=m.is_internal,
                created_at=m.created_at,
            )
            for m in ticket.messages
            if self.shows(m)
        ]

    def shown_pii(self, kind: str, text: str) -> str:
        """A piece of personal data of ``kind``: itself if granted, else its mask."""
        return text if kind in self.unmasked else f"[{kind}]"


def _customer_names(customer: Customer, unmasked: frozenset[str]) -> tuple[str, tuple[str, ...]]:
    """How the customer is named to the viewer, and the names to find and mask in texts."""
    known = (customer.name,) if customer.name.strip() else ()
    if pii.PiiKind.NAME in unmasked:
        return customer.name or "Customer", known
    first = customer.name.split()[0] if customer.name.split() else "Customer"
    return first, known


def _sight(
    customer: Customer,
    viewer: Viewer,
    unmasked: frozenset[str],
    *,
    shows_internal: bool,
    shows_conversation: bool = True,
    until: datetime | None = None,
) -> Sight:
    name, known = _customer_names(customer, unmasked)
    return Sight(
        viewer=viewer,
        unmasked=unmasked,
        shows_internal=shows_internal,
        shows_conversation=shows_conversation,
        until=until,
        known_names=known,
        customer_name=name,
        customer_email=customer.email if pii.PiiKind.EMAIL in unmasked else None,
    )


def _expert_window(
    session: Session, principal: Principal, ticket: Ticket
) -> tuple[bool, bool, datetime | None]:
    """(shows the conversation, held the ticket, until when) for an expert."""
    held = session.execute(
        select(Assignment.started_at, Assignment.ended_at).where(
            Assignment.ticket_id == ticket.id, Assignment.expert_id == principal.expert_id
        )
    ).all()
    is_open = ticket.assignee_id == principal.expert_id or any(end is None for _, end in held)
    offered_now = session.scalar(
        select(Offer.id).where(
            Offer.ticket_id == ticket.id,
            Offer.expert_id == principal.expert_id,
            Offer.status == OfferStatus.PENDING,
            Offer.expires_at > clock.now(),
        )
    )
    if is_open or offered_now is not None:
        return True, bool(held) or is_open, None
    if held:
        return True, True, max(end for _, end in held if end is not None)
    return False, False, None


def _note_unmasked(
    session: Session, principal: Principal, ticket: Ticket, unmasked: frozenset[str]
) -> None:
    """Audit a person's view of the customer's data unmasked.

    GigCX's own work is no view, and neither is an API key's: a machine (intake, a helpdesk
    sync) reads what it was made for, and its key's creation is audited.
    """
    if principal.is_system or principal.role is Role.API_KEY or not unmasked:
        return
    audit_service.note_view(
        session,
        viewer=principal,
        customer_id=ticket.customer_id,
        brand_id=ticket.brand_id,
        ticket_id=ticket.id,
        kinds=sorted(unmasked),
    )


def sight_of(session: Session, principal: Principal, ticket: Ticket) -> Sight:
    """What ``principal`` may see of ``ticket`` (read access itself is readable_tickets')."""
    customer = session.get_one(Customer, ticket.customer_id)
    if principal.can_see_brand(ticket.brand_id):
        _note_unmasked(session, principal, ticket, ALL_KINDS)
        return _sight(customer, Viewer.BRAND, ALL_KINDS, shows_internal=True)
    if principal.is_customer and principal.customer_id == ticket.customer_id:
        return _sight(customer, Viewer.CUSTOMER, ALL_KINDS, shows_internal=False)
    if principal.is_expert:
        shows, held, until = _expert_window(session, principal, ticket)
        unmasked = assist_service.unmasked_pii(session, principal, ticket.program_id)
        if shows:
            _note_unmasked(session, principal, ticket, unmasked)
        return _sight(
            customer,
            Viewer.EXPERT,
            unmasked,
            shows_internal=held,
            shows_conversation=shows,
            until=until,
        )
    return _sight(customer, Viewer.NOBODY, NOTHING, shows_internal=False, shows_conversation=False)


def review_sight(session: Session, principal: Principal, review: Review) -> Sight:
    """What a reviewer may see of the reviewed ticket: the brand's people everything; a senior
    expert the customer-facing conversation up to the review's opening, all personal data
    masked."""
    ticket = session.get_one(Ticket, review.ticket_id)
    if not principal.is_expert:
        return sight_of(session, principal, ticket)
    customer = session.get_one(Customer, ticket.customer_id)
    # The reviewer, or a senior expert looking at an open task to take; never the reviewed.
    is_reviewer = review.expert_id != principal.expert_id and (
        review.reviewer_expert_id == principal.expert_id
        or (review.reviewer_expert_id is None and review.status == ReviewStatus.OPEN)
    )
    return _sight(
        customer,
        Viewer.PEER_REVIEWER,
        NOTHING,
        shows_internal=False,
        shows_conversation=is_reviewer,
        until=review.created_at,
    )


def comment_sight(session: Session, principal: Principal, ticket_id: uuid.UUID) -> Sight:
    """The sight for comments about a ticket (ratings, reviews, appeals) shown to a principal."""
    ticket = session.get_one(Ticket, ticket_id)
    return sight_of(session, principal, ticket)
