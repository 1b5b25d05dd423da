"""What a task pays: one pricing function for the offer card, the workspace and the earning.

An offer freezes its pay basis when routing makes it (the ticket's category, complexity and
language, the offer's moment and the rate-card line in force then). Everything that shows or
pays a task prices it from that basis here, so what an offer shows is what its resolution earns.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.kit import clock
from gigcx.kit.money import Money, quantize
from gigcx.payments.models import Earning, Surge
from gigcx.payments.service._surge import surge_at
from gigcx.tickets.enums import OfferStatus
from gigcx.tickets.models import Assignment, Offer, Ticket


@dataclass(frozen=True, slots=True)
class TaskPrice:
    """What a task pays and why: the rate line, any surge in force, and the total.

    ``is_paid_already`` is set on the quote of a follow-up offer whose task the expert was
    already paid for: resolving it again earns nothing more.
    """

    amount: Decimal
    currency: str
    base_amount: Decimal
    surge: Surge | None
    terms: dict[str, Any]
    is_paid_already: bool = False

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


def task_source_key(ticket_id: uuid.UUID, expert_id: uuid.UUID) -> str:
    """The ledger key of a resolved task: each expert is paid for a ticket once."""
    return f"task:{ticket_id}:{expert_id}"


def accepted_at(session: Session, ticket: Ticket, expert_id: uuid.UUID) -> datetime:
    """When the expert took the ticket: the start of their latest assignment on it."""
    started = session.scalar(
        select(func.max(Assignment.started_at)).where(
            Assignment.ticket_id == ticket.id, Assignment.expert_id == expert_id
        )
    )
    return started or ticket.resolved_at or clock.now()


def _basis(session: Session, ticket: Ticket, at: datetime) -> dict[str, Any]:
    program = session.get_one(Program, ticket.program_id)
    return brands_service.pay_basis(
        program,
        category_key=ticket.category,
        complexity=ticket.complexity,
        language=ticket.language,
        at=at,
    )


def _price(
    session: Session, program_id: uuid.UUID, basis: dict[str, Any], *, offer_id: uuid.UUID | None
) -> TaskPrice | None:
    """The one pricing rule: the frozen rate line times the surge in force at the basis' moment."""
    rate = basis.get("rate")
    if rate is None:
        return None
    at = datetime.fromisoformat(basis["at"])
    surge = surge_at(session, program_id=program_id, language=basis["language"], at=at)
    base = Decimal(rate["amount"])
    multiplier = surge.multiplier if surge is not None else Decimal(1)
    terms: dict[str, Any] = {"priced_at": basis["at"], "rate": rate}
    if offer_id is not None:
        terms["offer_id"] = str(offer_id)
    if surge is not None:
        terms["surge"] = surge.terms()
    return TaskPrice(quantize(base * multiplier), basis["currency"], base, surge, terms)


def _price_offer(session: Session, offer: Offer, ticket: Ticket) -> TaskPrice | None:
    # Offers made before pay bases were frozen are priced from the ticket at the offer's moment.
    basis = offer.pay_basis or _basis(session, ticket, offer.created_at)
    return _price(session, ticket.program_id, basis, offer_id=offer.id)


def quote_offer(session: Session, offer: Offer) -> TaskPrice | None:
    """What resolving the offer's ticket will pay its expert (None: the card has no line)."""
    ticket = session.get_one(Ticket, offer.ticket_id)
    price = _price_offer(session, offer, ticket)
    if price is None:
        return None
    paid = session.scalar(
        select(Earning.id).where(Earning.source_key == task_source_key(ticket.id, offer.expert_id))
    )
    if paid is not None:
        terms = price.terms | {"paid_already": str(paid)}
        return TaskPrice(Decimal("0.00"), price.currency, price.base_amount, None, terms, True)
    return price


def task_offer(session: Session, ticket_id: uuid.UUID, expert_id: uuid.UUID) -> Offer | None:
    """The offer that gave the expert the ticket: their latest accepted one, else a pending one."""
    offers = session.scalars(
        select(Offer)
        .where(
            Offer.ticket_id == ticket_id,
            Offer.expert_id == expert_id,
            Offer.status.in_([OfferStatus.ACCEPTED, OfferStatus.PENDING]),
        )
        .order_by(Offer.created_at.desc(), Offer.id)
    ).all()
    accepted = [o for o in offers if o.status == OfferStatus.ACCEPTED]
    return next(iter(accepted or offers), None)


def price_task(session: Session, ticket: Ticket, expert_id: uuid.UUID) -> TaskPrice | None:
    """Price a ticket's task for the expert as the offer they accepted quoted it.

    Work given without an offer (imported history) is priced from the ticket at the moment the
    expert took it.
    """
    offer = task_offer(session, ticket.id, expert_id)
    if offer is not None and offer.status == OfferStatus.ACCEPTED:
        return _price_offer(session, offer, ticket)
    basis = _basis(session, ticket, accepted_at(session, ticket, expert_id))
    return _price(session, ticket.program_id, basis, offer_id=None)
