import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Brand
from gigcx.errors import PermissionDenied
from gigcx.experts.models import Expert
from gigcx.jobs import service as jobs_service
from gigcx.kit.money import Money
from gigcx.payments import service as payments_service
from gigcx.payments.errors import EarningNotReversible, LedgerIsAppendOnly
from gigcx.payments.models import Earning
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Offer, Ticket
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket, run_jobs


@dataclass
class Resolved:
    brand: Brand
    expert: Expert
    ticket: Ticket


def resolved_ticket(session: Session, *, complexity: str = "medium") -> Resolved:
    brand = make_brand(session, currency="EUR")
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(session, program, complexity=complexity)
    offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
    routing_service.accept_offer(session, as_expert(expert), offer.id)
    tickets_service.resolve(session, as_expert(expert), ticket.id)
    return Resolved(brand, expert, ticket)


def earnings_of(session: Session, expert_id: uuid.UUID) -> list[Earning]:
    statement = select(Earning).where(Earning.expert_id == expert_id).order_by(Earning.created_at)
    return list(session.scalars(statement))


def test_a_resolution_pays_the_rate_card_amount_once(
    session: Session, factory: sessionmaker[Session]
) -> None:
    resolved = resolved_ticket(session, complexity="high")
    expert, ticket = resolved.expert, resolved.ticket
    session.commit()

    run_jobs(factory)
    jobs_service.enqueue(
        session,
        "payments.pay_resolution",
        {"ticket_id": str(ticket.id), "expert_id": str(expert.id)},
    )
    session.commit()
    stats = run_jobs(factory)

    assert stats.done == 1
    earnings = earnings_of(session, expert.id)
    assert [(e.kind, e.amount, e.currency) for e in earnings] == [("task", Decimal("6.00"), "EUR")]
    assert payments_service.balances(session, SYSTEM, expert.id) == [
        (Money(Decimal("6.00"), "EUR"), 1)
    ]


def test_a_reversal_is_a_new_opposite_entry(session: Session) -> None:
    resolved = resolved_ticket(session)
    brand, expert, ticket = resolved.brand, resolved.expert, resolved.ticket
    earning = payments_service.pay_for_resolution(session, ticket_id=ticket.id, expert_id=expert.id)
    assert earning is not None

    reversal = payments_service.reverse_earning(
        session, brand_admin(brand), earning.id, reason="customer fraud"
    )

    assert reversal.amount == Decimal("-3.50")
    assert reversal.reverses_id == earning.id
    assert earning.amount == Decimal("3.50")
    assert payments_service.balances(session, SYSTEM, expert.id) == [
        (Money(Decimal("0.00"), "EUR"), 2)
    ]
    with pytest.raises(EarningNotReversible):
        payments_service.reverse_earning(session, brand_admin(brand), earning.id, reason="again")
    with pytest.raises(PermissionDenied):
        payments_service.reverse_earning(session, as_expert(expert), earning.id, reason="mine")


def test_ledger_entries_cannot_be_edited_or_deleted(session: Session) -> None:
    resolved = resolved_ticket(session)
    expert, ticket = resolved.expert, resolved.ticket
    earning = payments_service.pay_for_resolution(session, ticket_id=ticket.id, expert_id=expert.id)
    assert earning is not None
    session.commit()

    earning.amount = Decimal("100.00")
    with pytest.raises(LedgerIsAppendOnly):
        session.flush()
    session.rollback()
    session.delete(earning)
    with pytest.raises(LedgerIsAppendOnly):
        session.flush()
    session.rollback()

    assert [e.amount for e in earnings_of(session, expert.id)] == [Decimal("3.50")]
