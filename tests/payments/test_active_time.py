"""Effective pay per hour counts active time: waiting for the customer is not work."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.audit.models import AuditEvent
from gigcx.brands.models import Program
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Offer
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import brand_api_for, make_ticket

# A Monday morning; the customer answers on Thursday.
T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
THREE_DAYS = timedelta(days=3)
CHECKED_AT = T0 + THREE_DAYS + timedelta(hours=1)


def quick_expert_slow_customer(session: Session, program: Program, expert: Expert) -> None:
    """Accept, note, reply after 6 min; the customer answers 3 days later; reply, resolve."""
    me = as_expert(expert)
    with clock.travel_to(T0 - timedelta(minutes=1)):
        ticket = make_ticket(session, program)
        offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
    with clock.travel_to(T0):
        routing_service.accept_offer(session, me, offer.id)
    with clock.travel_to(T0 + timedelta(minutes=2)):
        tickets_service.reply(session, me, ticket.id, "Checking the order.", is_internal=True)
    with clock.travel_to(T0 + timedelta(minutes=6)):
        tickets_service.reply(session, me, ticket.id, "Which card was it?", is_internal=False)
        tickets_service.mark_waiting(session, me, ticket.id)
    with clock.travel_to(T0 + THREE_DAYS):
        tickets_service.add_customer_message(
            session, brand_api_for(session, program), ticket.id, "The Visa one."
        )
    with clock.travel_to(T0 + THREE_DAYS + timedelta(minutes=4)):
        tickets_service.reply(
            session, me, ticket.id, "Refunded the second charge.", is_internal=False
        )
    with clock.travel_to(T0 + THREE_DAYS + timedelta(minutes=5)):
        tickets_service.resolve(session, me, ticket.id)
        payments_service.pay_for_resolution(session, ticket_id=ticket.id, expert_id=expert.id)


def test_waiting_three_days_for_the_customer_counts_only_the_ten_minutes_worked(
    session: Session,
) -> None:
    program = make_program(session, make_brand(session, currency="EUR"))
    expert = make_expert(session, programs=[program])
    quick_expert_slow_customer(session, program, expert)

    rows = payments_service.program_hourly(
        session, program.id, since=CHECKED_AT - timedelta(days=7), until=CHECKED_AT
    )
    summary = payments_service.earnings_summary(
        session, as_expert(expert), expert.id, days=7, at=CHECKED_AT
    )

    # 09:00-09:06 until the reply, then 4 minutes from the customer's message to the answer.
    assert [(r.expert_id, r.earned, r.seconds_worked, r.per_hour) for r in rows] == [
        (expert.id, Decimal("3.50"), 600, Decimal("21.00"))
    ]
    assert summary.seconds_worked == 600
    assert [str(h.per_hour) for h in summary.hourly] == ["21.00 EUR"]


def test_the_floor_alert_follows_active_time(session: Session) -> None:
    brand = make_brand(session, currency="EUR")
    above = make_program(session, brand, hourly_floor=Decimal("20.00"))
    below = make_program(session, brand, hourly_floor=Decimal("25.00"))
    for program in (above, below):
        quick_expert_slow_customer(session, program, make_expert(session, programs=[program]))

    with clock.travel_to(CHECKED_AT):
        checks = {p.id: payments_service.check_floor(session, p) for p in (above, below)}
        alerts = payments_service.alert_hourly_floors(session)

    assert [(c.median, c.is_below) for c in checks.values()] == [
        (Decimal("21.00"), False),
        (Decimal("21.00"), True),
    ]
    assert [a.program_id for a in alerts] == [below.id]
    events = select(AuditEvent.subject_id).where(AuditEvent.action == "program.hourly_below_floor")
    assert list(session.scalars(events)) == [below.id]
    assert session.scalar(select(func.count()).select_from(events.subquery())) == 1


def test_a_span_left_open_counts_at_most_an_hour() -> None:
    start = T0

    spans = payments_service.working_spans(
        start,
        start + timedelta(hours=5),
        [(start + timedelta(hours=2), True), (start + timedelta(hours=4), False)],
        until=start + timedelta(days=1),
    )

    # Accepted and forgotten: one hour; the customer wrote, answered two hours later: one hour.
    assert spans == [
        (start, start + timedelta(hours=1)),
        (start + timedelta(hours=2), start + timedelta(hours=3)),
    ]
