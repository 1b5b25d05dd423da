from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.analytics import service as analytics
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.kit.money import Money
from gigcx.payments import service as payments_service
from gigcx.quality import service as quality_service
from gigcx.quality.enums import RatingReason
from gigcx.quality.schemas import RatingCreate
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Offer, Ticket
from tests.factories.brands import brand_admin, brand_api, make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket

T0 = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


class StoppedClock(datetime):
    """The wall clock stands still, so durations between travelled-to moments are exact."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> "StoppedClock":
        return cls.fromtimestamp(T0.timestamp(), tz)


@pytest.fixture(autouse=True)
def stopped_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "datetime", StoppedClock)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@contextmanager
def minute(minutes: float) -> Iterator[None]:
    with clock.travel_to(at(minutes)):
        yield


def ticket_at(session: Session, program: Program, minutes: float, **overrides: Any) -> Ticket:
    with minute(minutes):
        return make_ticket(session, program, route=False, **overrides)


def reply_at(session: Session, staff: Principal, ticket: Ticket, minutes: float) -> None:
    with minute(minutes):
        tickets_service.reply(session, staff, ticket.id, "On it.", is_internal=False)


def resolve_in_house_at(session: Session, staff: Principal, ticket: Ticket, minutes: float) -> None:
    with minute(minutes):
        tickets_service.escalate(session, staff, ticket.id, reason="handled in house")
        tickets_service.resolve(session, staff, ticket.id)


def resolve_by_expert_at(session: Session, expert: Expert, ticket: Ticket, minutes: float) -> None:
    with minute(minutes):
        routing_service.route_ticket(session, ticket.id)
        offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
        routing_service.accept_offer(session, as_expert(expert), offer.id)
        tickets_service.resolve(session, as_expert(expert), ticket.id)
        payments_service.pay_for_resolution(session, ticket_id=ticket.id, expert_id=expert.id)


def rate(session: Session, brand: Brand, ticket: Ticket, score: int, minutes: float) -> None:
    with minute(minutes):
        quality_service.rate_ticket(
            session,
            brand_api(brand),
            ticket.id,
            RatingCreate(score=score, reason=RatingReason.HELPFUL),
        )


def window(start: float, end: float) -> analytics.Window:
    return analytics.Window(at(start), at(end))


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [40.0, 10.0, 30.0, 20.0]

    assert analytics.percentile(values, 0.5) == 25.0
    assert analytics.percentile(values, 0.9) == 37.0
    assert analytics.percentile([7.0], 0.9) == 7.0
    assert analytics.percentile([], 0.5) is None


def test_the_last_seven_days_are_168_whole_hours_ending_with_the_current_one() -> None:
    span = analytics.Window.last_days(7, at=at(25))

    assert (span.since, span.until) == (at(-7 * 24 * 60 + 60), at(60))
    assert len(span.hours()) == 168
    assert span.hours()[-1] == T0


def test_volume_counts_the_brands_tickets_per_hour_empty_hours_included(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    other = make_program(session, make_brand(session))
    for minutes in (5, 50, 130, -10):
        ticket_at(session, program, minutes)
    ticket_at(session, other, 5)

    volume = analytics.volume_by_hour(session, brand_admin(brand), window(0, 180))

    assert [(h.hour, h.tickets) for h in volume] == [(at(0), 2), (at(60), 0), (at(120), 1)]


def test_response_and_resolution_times_give_median_and_p90(session: Session) -> None:
    brand = make_brand(session)
    staff = brand_admin(brand)
    program = make_program(session, brand)
    tickets = [ticket_at(session, program, 0) for _ in range(3)]
    for ticket, minutes in zip(tickets, (2, 4, 10), strict=True):
        reply_at(session, staff, ticket, minutes)
    resolve_in_house_at(session, staff, tickets[0], 60)
    resolve_in_house_at(session, staff, tickets[1], 120)

    times = analytics.response_times(session, staff, window(0, 24 * 60))

    assert times.first_response.seconds == [120.0, 240.0, 600.0]
    assert (times.first_response.median, times.first_response.p90) == (240.0, 528.0)
    assert times.resolution.count == 2
    assert (times.resolution.median, times.resolution.p90) == (5400.0, 6840.0)


def test_sla_attainment_counts_met_and_missed_clocks_and_leaves_running_ones_out(
    session: Session,
) -> None:
    brand = make_brand(session)
    staff = brand_admin(brand)
    program = make_program(session, brand, first_response_seconds=600, resolution_seconds=3600)
    on_time = ticket_at(session, program, 0)
    reply_at(session, staff, on_time, 5)
    resolve_in_house_at(session, staff, on_time, 30)
    late = ticket_at(session, program, 0)
    reply_at(session, staff, late, 20)
    ticket_at(session, program, 0)  # never answered
    ticket_at(session, program, 100)  # both clocks still running at minute 105
    canceled = ticket_at(session, program, 0)
    with minute(1):
        tickets_service.cancel(session, staff, canceled.id)

    report = analytics.sla_attainment(session, staff, window(0, 105))

    assert (report.first_response.met, report.first_response.missed) == (1, 2)
    assert (report.resolution.met, report.resolution.missed) == (1, 2)
    assert report.first_response.rate == 1 / 3


def test_csat_gives_the_average_and_the_distribution_of_the_brands_ratings(
    session: Session,
) -> None:
    brand = make_brand(session)
    staff = brand_admin(brand)
    program = make_program(session, brand)
    for score in (5, 5, 4, 2):
        ticket = ticket_at(session, program, 0)
        resolve_in_house_at(session, staff, ticket, 10)
        rate(session, brand, ticket, score, 20)
    other_brand = make_brand(session)
    elsewhere = ticket_at(session, make_program(session, other_brand), 0)
    resolve_in_house_at(session, brand_admin(other_brand), elsewhere, 10)
    rate(session, other_brand, elsewhere, 1, 20)

    result = analytics.csat(session, staff, window(0, 60))

    assert result.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 2}
    assert (result.count, result.average, result.satisfied_share) == (4, 4.0, 0.75)


def test_escalation_rate_is_escalated_over_tickets_without_canceled_ones(
    session: Session,
) -> None:
    brand = make_brand(session)
    staff = brand_admin(brand)
    program = make_program(session, brand)
    in_house = ticket_at(session, program, 0, category="legal")
    with minute(1):
        routing_service.route_ticket(session, in_house.id)
    ticket_at(session, program, 0)
    ticket_at(session, program, 0)
    canceled = ticket_at(session, program, 0)
    with minute(1):
        tickets_service.cancel(session, staff, canceled.id)

    result = analytics.escalation_rate(session, staff, window(0, 60))

    assert (result.tickets, result.escalated, result.rate) == (3, 1, 1 / 3)


def test_cost_per_resolution_divides_task_pay_by_resolved_tickets(session: Session) -> None:
    brand = make_brand(session, currency="EUR")
    staff = brand_admin(brand)
    program = make_program(session, brand, inhouse_cost_per_contact=Decimal("5.00"))
    expert = make_expert(session, programs=[program])
    for _ in range(2):
        resolve_by_expert_at(session, expert, ticket_at(session, program, 0), 10)
    resolve_in_house_at(session, staff, ticket_at(session, program, 0), 10)

    (cost,) = analytics.cost_per_resolution(session, staff, window(0, 60))

    assert (cost.earnings, cost.resolved) == (Money(Decimal("7.00"), "EUR"), 3)
    assert cost.per_resolution == Money(Decimal("2.33"), "EUR")
    assert cost.inhouse_cost_per_contact == Money(Decimal("5.00"), "EUR")
    assert cost.saving_per_contact == Money(Decimal("2.67"), "EUR")


def test_a_reversed_task_no_longer_counts_as_cost(session: Session) -> None:
    brand = make_brand(session, currency="EUR")
    staff = brand_admin(brand)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    ticket = ticket_at(session, program, 0)
    resolve_by_expert_at(session, expert, ticket, 10)
    earning = payments_service.list_earnings(session, staff)[0]
    with minute(20):
        payments_service.reverse_earning(session, staff, earning.id, reason="duplicate")

    (cost,) = analytics.cost_per_resolution(session, staff, window(0, 60))

    assert (cost.earnings, cost.resolved) == (Money(Decimal("0.00"), "EUR"), 1)
    assert cost.per_resolution == Money(Decimal("0.00"), "EUR")
    assert cost.saving_per_contact is None


def test_a_clock_is_at_risk_within_the_last_fifth_of_its_window(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand, first_response_seconds=600, resolution_seconds=3600)
    ticket = ticket_at(session, program, 0)

    assert analytics.sla_risks(ticket, program, at(7)) == []
    risks = analytics.sla_risks(ticket, program, at(8))
    assert [(r.clock, r.remaining_seconds, r.is_overdue) for r in risks] == [
        ("first response", 120.0, False)
    ]
    late = analytics.sla_risks(ticket, program, at(50))
    assert [(r.clock, r.remaining_seconds, r.is_overdue) for r in late] == [
        ("first response", -2400.0, True),
        ("resolution", 600.0, False),
    ]


def test_the_queue_snapshot_orders_waiting_work_and_counts_who_is_online(
    session: Session,
) -> None:
    brand = make_brand(session)
    staff = brand_admin(brand)
    program = make_program(
        session, brand, languages=("en", "de"), first_response_seconds=600, offer_ttl_seconds=600
    )
    make_expert(session, programs=[program], languages={"en": 5, "de": 3})
    make_expert(session, programs=[program], presence=Presence.OFFLINE)
    make_expert(session, programs=[program], enrollment_status=EnrollmentStatus.APPLIED)
    old_normal = ticket_at(session, program, 0, priority=3)
    new_urgent = ticket_at(session, program, 5, priority=1)
    with minute(6):
        offered = make_ticket(session, program, priority=4)
    make_ticket(session, make_program(session, make_brand(session)), route=False)

    snapshot = analytics.queue_snapshot(session, staff, at=at(9))

    assert snapshot.waiting_total == 3
    assert [w.ticket.id for w in snapshot.waiting] == [new_urgent.id, old_normal.id, offered.id]
    assert [w.waiting_seconds for w in snapshot.waiting] == [240.0, 540.0, 180.0]
    assert [o.ticket.id for o in snapshot.offers] == [offered.id]
    assert snapshot.experts_online == 1
    assert [(s.language, s.eligible, s.online) for s in snapshot.staffing] == [
        ("en", 2, 1),
        ("de", 1, 1),
    ]
    assert [(r.ticket.id, r.clock) for r in snapshot.at_risk] == [(old_normal.id, "first response")]


def test_the_queue_snapshot_says_when_the_clock_alone_next_changes_it(session: Session) -> None:
    brand = make_brand(session)
    staff = brand_admin(brand)
    program = make_program(session, brand, first_response_seconds=600, resolution_seconds=3000)
    # Due for a first response at minute 10, at risk from minute 8 (the last 20%); resolution
    # due at minute 50, at risk from minute 40.
    ticket_at(session, program, 0)

    moments = [
        analytics.queue_snapshot(session, staff, at=at(m)).next_change_at for m in (1, 9, 11)
    ]
    at_risk_later = analytics.queue_snapshot(session, staff, at=at(41))
    quiet = analytics.queue_snapshot(session, brand_admin(make_brand(session)), at=at(1))

    assert moments == [at(8), at(10), at(40)]
    assert at_risk_later.next_change_at == at(50)
    assert quiet.next_change_at is None


def test_the_roster_shows_each_experts_ratings_resolutions_and_pay(session: Session) -> None:
    brand = make_brand(session, currency="EUR")
    staff = brand_admin(brand)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    make_expert(session, programs=[program], enrollment_status=EnrollmentStatus.APPLIED)
    first, second = ticket_at(session, program, 0), ticket_at(session, program, 0)
    resolve_by_expert_at(session, expert, first, 10)
    resolve_by_expert_at(session, expert, second, 10)
    rate(session, brand, first, 5, 20)
    rate(session, brand, second, 2, 20)

    (line,) = analytics.expert_roster(session, staff)

    assert line.expert.id == expert.id
    assert line.enrollments == [(program.name, "active")]
    assert (line.ratings, line.average_rating, line.resolved) == (2, 3.5, 2)
    assert line.earned == [Money(Decimal("7.00"), "EUR")]
    assert line.languages == ["en"]
