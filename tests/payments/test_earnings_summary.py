import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Program
from gigcx.experts.errors import ExpertNotFound
from gigcx.experts.models import Expert
from gigcx.kit.money import Money
from gigcx.payments import service as payments_service
from gigcx.payments.enums import EarningKind
from gigcx.payments.models import Earning
from gigcx.tickets.enums import AuthorKind
from gigcx.tickets.models import Assignment, Message, Ticket
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket

# Noon in Berlin (the factory expert's zone) on a Tuesday.
AT = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)


def held(
    session: Session, expert: Expert, ticket: Ticket, start: datetime, end: datetime | None
) -> None:
    session.add(
        Assignment(
            ticket_id=ticket.id, expert_id=expert.id, channel="chat", started_at=start, ended_at=end
        )
    )
    session.flush()


def said(session: Session, ticket: Ticket, expert: Expert | None, at: datetime) -> None:
    """A reply by the expert, or a message from the customer when ``expert`` is None."""
    session.add(
        Message(
            ticket_id=ticket.id,
            author_kind=AuthorKind.CUSTOMER if expert is None else AuthorKind.EXPERT,
            author_id=None if expert is None else expert.id,
            body="…",
            created_at=at,
        )
    )
    session.flush()


def earned(
    session: Session,
    expert: Expert,
    program: Program,
    ticket: Ticket | None,
    amount: str,
    at: datetime,
    *,
    kind: EarningKind = EarningKind.TASK,
    reverses: Earning | None = None,
) -> Earning:
    earning = Earning(
        expert_id=expert.id,
        brand_id=program.brand_id,
        program_id=program.id,
        ticket_id=ticket.id if ticket else None,
        kind=kind,
        amount=Decimal(amount),
        currency=program.currency,
        source_key=f"test:{uuid.uuid4()}",
        reverses_id=reverses.id if reverses else None,
        created_at=at,
    )
    session.add(earning)
    session.flush()
    return earning


def test_overlapping_assignments_count_once_and_pay_per_hour_is_exact(session: Session) -> None:
    brand = make_brand(session, currency="EUR")
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    first, second, third = (make_ticket(session, program, route=False) for _ in range(3))
    # 09:00-10:00 and 09:30-10:30 overlap (90 min together); 10:30-11:00 touches the end.
    held(session, expert, first, AT - timedelta(hours=2), AT - timedelta(hours=1))
    held(session, expert, second, AT - timedelta(minutes=90), AT - timedelta(minutes=30))
    held(session, expert, third, AT - timedelta(minutes=30), None)
    earned(session, expert, program, first, "6.00", AT - timedelta(hours=1))
    earned(session, expert, program, second, "3.50", AT - timedelta(minutes=30))
    reversed_task = earned(session, expert, program, third, "2.00", AT - timedelta(days=1))
    earned(
        session,
        expert,
        program,
        third,
        "-2.00",
        AT - timedelta(hours=20),
        kind=EarningKind.REVERSAL,
        reverses=reversed_task,
    )

    summary = payments_service.earnings_summary(
        session, as_expert(expert), expert.id, days=14, at=AT
    )

    assert summary.seconds_worked == 2 * 3600
    assert summary.hours_worked == Decimal("2.00")
    assert len(summary.hourly) == 1
    hourly = summary.hourly[0]
    assert hourly.earned == Money(Decimal("9.50"), "EUR")
    assert hourly.per_hour == Money(Decimal("4.75"), "EUR")
    assert summary.balances == [(Money(Decimal("9.50"), "EUR"), 4)]
    assert len(summary.days) == 14
    assert summary.days[0].day == date(2026, 2, 25)
    assert summary.days[-1].day == date(2026, 3, 10)
    assert [(d.day, d.tasks, d.earned) for d in summary.days if d.tasks or d.earned] == [
        (date(2026, 3, 9), 1, [Money(Decimal("0.00"), "EUR")]),
        (date(2026, 3, 10), 2, [Money(Decimal("9.50"), "EUR")]),
    ]
    assert summary.since == datetime(2026, 2, 24, 23, 0, tzinfo=UTC)


def test_the_window_clips_assignments_and_days_follow_the_experts_time_zone(
    session: Session,
) -> None:
    brand = make_brand(session, currency="EUR")
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(session, program, route=False)
    start_of_window = datetime(2026, 3, 9, 23, 0, tzinfo=UTC)  # midnight, 10 March, in Berlin
    # Worked 22:30-23:15 (15 minutes inside the window) and 00:00-00:45 after the customer wrote.
    held(session, expert, ticket, start_of_window - timedelta(minutes=30), AT - timedelta(hours=9))
    said(session, ticket, expert, start_of_window + timedelta(minutes=15))
    said(session, ticket, None, start_of_window + timedelta(hours=1))
    said(session, ticket, expert, start_of_window + timedelta(minutes=105))
    # 23:30 UTC on 9 March is already 10 March in Berlin.
    earned(session, expert, program, ticket, "3.00", start_of_window + timedelta(minutes=30))
    earned(session, expert, program, ticket, "5.00", start_of_window - timedelta(minutes=30))

    summary = payments_service.earnings_summary(
        session, as_expert(expert), expert.id, days=1, at=AT
    )

    assert summary.since == start_of_window
    assert summary.seconds_worked == 3600
    assert [(d.day, d.tasks, d.earned) for d in summary.days] == [
        (date(2026, 3, 10), 1, [Money(Decimal("3.00"), "EUR")])
    ]
    assert [(h.earned, h.per_hour) for h in summary.hourly] == [
        (Money(Decimal("3.00"), "EUR"), Money(Decimal("3.00"), "EUR"))
    ]


def test_without_hours_there_is_no_hourly_rate(session: Session) -> None:
    brand = make_brand(session, currency="USD")
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    earned(session, expert, program, None, "4.00", AT - timedelta(hours=1))

    summary = payments_service.earnings_summary(session, SYSTEM, expert.id, at=AT)

    assert summary.seconds_worked == 0
    assert [(h.earned, h.per_hour) for h in summary.hourly] == [
        (Money(Decimal("4.00"), "USD"), None)
    ]


def test_merge_intervals_joins_overlaps_and_touching_ends() -> None:
    t = AT
    intervals = [
        (t + timedelta(hours=3), t + timedelta(hours=4)),
        (t, t + timedelta(hours=1)),
        (t + timedelta(minutes=30), t + timedelta(minutes=45)),
        (t + timedelta(hours=1), t + timedelta(hours=2)),
        (t + timedelta(hours=5), t + timedelta(hours=5)),
    ]

    assert payments_service.merge_intervals(intervals) == [
        (t, t + timedelta(hours=2)),
        (t + timedelta(hours=3), t + timedelta(hours=4)),
    ]


def test_another_experts_summary_is_not_readable(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert, other = make_expert(session, programs=[program]), make_expert(session)

    with pytest.raises(ExpertNotFound):
        payments_service.earnings_summary(session, as_expert(other), expert.id, at=AT)
    with pytest.raises(ExpertNotFound):
        payments_service.earnings_summary(session, brand_admin(make_brand(session)), expert.id)
