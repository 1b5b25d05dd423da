"""Coverage from the database: arrivals of the last four weeks, who counts as expected online,
and the gap that results."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from gigcx.experts.compliance.models import BrandCompliance
from gigcx.experts.enums import EnrollmentStatus
from gigcx.kit import clock
from gigcx.planning import coverage
from gigcx.planning.models import Forecast
from gigcx.planning.service import compute_coverage
from gigcx.tickets.models import Ticket
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.tickets import make_ticket
from tests.planning.coverage_helpers import gap_hour, online, past_slots, settle, states


def test_arrivals_are_the_mean_of_the_last_four_weeks_by_hour_of_week(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand, languages=("en", "de"))
    hour = gap_hour()
    slots = past_slots(hour)
    placed = [
        ("en", slots[0]),
        ("en", slots[0] + timedelta(minutes=59)),
        ("en", slots[2]),
        ("de", slots[1] + timedelta(minutes=30)),
        ("en", slots[0] - timedelta(weeks=1, minutes=1)),  # the hour before, 4 weeks back
        ("en", slots[3] - timedelta(weeks=1)),  # five weeks back: outside the window
    ]
    for language, at in placed:
        ticket = make_ticket(session, program, route=False, language=language)
        session.execute(update(Ticket).where(Ticket.id == ticket.id).values(created_at=at))

    arrivals = coverage.arrivals_by_hour_of_week(session, program.id, now=clock.now())

    assert arrivals == {
        ("de", "chat", hour): 0.25,
        ("en", "chat", hour - 1 if hour % 24 else hour + 167): 0.25,
        ("en", "chat", hour): 0.75,
    }


def test_expected_online_counts_active_compliant_experts_who_write_the_language(
    session: Session,
) -> None:
    brand = make_brand(session)
    program = make_program(session, brand, languages=("de",))
    hour = gap_hour()
    slots = past_slots(hour)
    weekday = hour // 24
    # Online two of the four weeks at that hour: 0.5.
    seen = settle(session, make_expert(session, programs=[program], languages={"de": 5}))
    online(session, seen, slots[0], slots[1])
    # No history, states 11-14 UTC on that weekday: 0.5.
    stating = settle(session, make_expert(session, programs=[program], languages={"de": 4}))
    states(session, stating, weekday, 11, 14)
    # No history, states nothing, in Tokyo: 21:00 local is outside office hours: 0.
    settle(
        session,
        make_expert(session, programs=[program], languages={"de": 4}),
        timezone="Asia/Tokyo",
    )
    # Not counted: paused, English only, and a country the brand does not allow.
    paused = make_expert(
        session,
        programs=[program],
        languages={"de": 5},
        enrollment_status=EnrollmentStatus.PAUSED,
    )
    english = make_expert(session, programs=[program], languages={"en": 5})
    elsewhere = make_expert(session, programs=[program], languages={"de": 5})
    elsewhere.country = "FR"
    for expert in (paused, english, elsewhere):
        settle(session, expert)
        online(session, expert, *slots)
    session.add(BrandCompliance(brand_id=brand.id, allowed_countries=["DE"]))
    session.flush()

    found = compute_coverage(
        session, program, arrivals={("de", "email", hour): 4.0}, now=clock.now()
    )
    cell = found.cell("de", hour)

    assert found.expert_count == 4  # the three above and the English-only one
    assert cell is not None
    # 4 mails of 15 minutes an hour at 85 % occupancy: 1.18 -> 2 experts.
    assert (cell.needed, cell.expected, cell.shortfall, cell.is_gap) == (2, 1.0, 1.0, True)
    assert found.gaps == [cell]
    assert found.cell("de", hour + 1 if hour % 24 != 23 else hour - 1) is not None


def test_handle_time_defaults_without_history(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)

    found = compute_coverage(session, program, arrivals={}, now=clock.now())

    assert {c: t.aht_seconds for c, t in found.targets.items()} == {"chat": 600.0, "email": 900.0}
    assert found.gaps == []


@pytest.mark.parametrize("hours", [0, 3])
def test_presence_counts_only_the_time_online_at_that_hour_inside_the_window(
    session: Session, hours: int
) -> None:
    brand = make_brand(session)
    program = make_program(session, brand, languages=("de",))
    hour = gap_hour()
    slots = past_slots(hour)
    expert = settle(session, make_expert(session, programs=[program], languages={"de": 5}))
    # A span that began before the window and ran into its first slot of that hour.
    online(session, expert, slots[3] - timedelta(weeks=1))
    expert_span_start = slots[3] - timedelta(hours=hours)
    online(session, expert, expert_span_start)

    found = compute_coverage(session, program, arrivals={}, now=clock.now())
    cell = found.cell("de", hour)

    assert cell is not None
    assert cell.expected == (0.25 if hours == 0 else 0.0)


def test_a_stored_forecast_of_the_week_ahead_is_the_expected_work(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand, languages=("en",))
    hour = gap_hour()
    ahead = coverage.next_occurrence(hour, after=coverage.hour_start(clock.now()))
    ticket = make_ticket(session, program, route=False, language="en")
    session.execute(
        update(Ticket).where(Ticket.id == ticket.id).values(created_at=ahead - timedelta(weeks=1))
    )
    made = clock.now()
    for channel, mean in (("chat", 6.0), ("email", 2.5)):
        session.add(
            Forecast(
                brand_id=brand.id,
                program_id=program.id,
                language="en",
                channel=channel,
                starts_at=ahead,
                mean=mean,
                lower=0.0,
                upper=mean * 2,
                method="mstl",
                made_at=made,
            )
        )
    session.flush()

    arrivals, source = coverage.expected_arrivals(session, program.id, now=clock.now())
    found = compute_coverage(session, program, now=clock.now())

    assert source == "forecast"
    assert arrivals == {("en", "chat", hour): 6.0, ("en", "email", hour): 2.5}
    assert found.arrivals_source == "forecast"


def test_without_a_forecast_the_last_four_weeks_are_the_expected_work(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand, languages=("en",))
    hour = gap_hour()
    for slot in (past_slots(hour)[0], past_slots(hour)[3]):
        ticket = make_ticket(session, program, route=False, language="en")
        session.execute(update(Ticket).where(Ticket.id == ticket.id).values(created_at=slot))

    arrivals, source = coverage.expected_arrivals(session, program.id, now=clock.now())

    assert source == "history"
    assert arrivals == {("en", "chat", hour): 0.5}
