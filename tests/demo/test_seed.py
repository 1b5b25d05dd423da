"""The demo seed: a small marketplace replayed through the services, on its own database."""

import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import available_timezones

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.brands.models import Brand, Program
from gigcx.db import migrate
from gigcx.db.session import make_engine, unit_of_work
from gigcx.demo import content
from gigcx.demo.catalog import BRANDS
from gigcx.demo.inquiries import INQUIRIES
from gigcx.demo.seed import HISTORY_DAYS, DemoDataExists, DemoSummary, demo_sign_ins, seed_demo
from gigcx.experts.models import Enrollment, Expert, ExpertAvailability, PresenceSpan
from gigcx.kit import clock
from gigcx.payments.models import Earning
from gigcx.planning.models import ALL, Forecast, ForecastSeries
from gigcx.planning.service import compute_coverage
from gigcx.quality.enums import UNCONTROLLABLE_REASONS
from gigcx.quality.models import Rating
from gigcx.tickets.enums import AssignmentEnd, AuthorKind
from gigcx.tickets.models import Assignment, Message, Ticket

EXPERTS, TICKETS = 10, 24
SEEDED_AT = datetime(2026, 11, 18, 15, 45, tzinfo=UTC)


@pytest.fixture(scope="module")
def factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture(scope="module")
def seeded(factory: sessionmaker[Session]) -> tuple[DemoSummary, datetime]:
    # A fixed moment: the replay schedules by time of day, so the real clock would vary the mix.
    with clock.travel_to(SEEDED_AT):
        started = clock.now()
        with unit_of_work(factory) as session:
            summary = seed_demo(session, experts=EXPERTS, tickets=TICKETS, seed=11)
    return summary, started


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session:
        yield session


def test_seed_counts_what_it_built(seeded: tuple[DemoSummary, datetime]) -> None:
    summary, _ = seeded

    assert summary.counts["brands"] == 2
    assert summary.counts["programs"] == 3
    assert summary.counts["experts"] == EXPERTS
    assert summary.counts["tickets"] == TICKETS
    assert sum(summary.ticket_statuses.values()) == TICKETS
    assert summary.jobs_failed == 0
    assert sorted(m.currency for m in summary.earnings) == ["EUR", "USD"]


def test_seed_forecasts_each_program_from_its_replayed_weeks(
    seeded: tuple[DemoSummary, datetime], session: Session
) -> None:
    totals = session.scalars(select(ForecastSeries).where(ForecastSeries.language == ALL)).all()
    hours = session.scalar(select(func.count(func.distinct(Forecast.starts_at))))

    assert len(totals) == 3
    assert {(t.method, t.horizon_hours) for t in totals} == {("seasonal_naive_168", 336)}
    assert {t.backtest_horizon for t in totals} == {24}
    # The two live tickets came in this hour, which the forecast does not count yet.
    assert sum(t.arrivals for t in totals) == TICKETS - 2
    assert hours == 336


def test_seed_leaves_the_clock_at_real_time(seeded: tuple[DemoSummary, datetime]) -> None:
    before = datetime.now(UTC)
    shown = clock.now()
    after = datetime.now(UTC)
    assert before <= shown <= after


def test_seed_credentials_sign_in(seeded: tuple[DemoSummary, datetime], session: Session) -> None:
    summary, _ = seeded
    roles = [c.role for c in summary.credentials]
    admin = summary.credentials[0]

    user = auth_service.authenticate_password(session, email=admin.email, password=admin.password)

    assert roles.count("platform admin") == 1
    assert roles.count("brand admin") == 2
    assert roles.count("in-house agent") == 2
    assert 1 <= roles.count("expert") <= 4
    assert user.role == Role.PLATFORM_ADMIN
    for key in summary.api_keys:
        principal = auth_service.authenticate_bearer(session, key.key)
        brand = session.get_one(Brand, principal.brand_id)
        assert (principal.role, brand.name) == (Role.API_KEY, key.brand)


def test_the_demo_sign_ins_can_be_shown_again_on_every_start(
    seeded: tuple[DemoSummary, datetime], session: Session
) -> None:
    summary, _ = seeded

    again = demo_sign_ins(session, experts=0)

    staff = [c for c in summary.credentials if c.role != "expert"]
    assert [(c.role, c.email) for c in again] == [(c.role, c.email) for c in staff]
    for credential in again:
        user = auth_service.authenticate_password(
            session, email=credential.email, password=credential.password
        )
        assert user.email == credential.email


def test_seed_history_happened_in_the_past_two_weeks(
    seeded: tuple[DemoSummary, datetime], session: Session
) -> None:
    _, started = seeded
    created = session.scalars(select(Ticket.created_at)).all()
    earliest_message = session.execute(
        select(func.count())
        .select_from(Message)
        .join(Ticket, Ticket.id == Message.ticket_id)
        .where(Message.created_at < Ticket.created_at)
    ).scalar_one()

    assert all(started - timedelta(days=14) <= at for at in created)
    assert len([at for at in created if at < started]) >= TICKETS - 8
    assert earliest_message == 0


def test_seed_pays_each_resolution_once_when_it_happens(session: Session) -> None:
    resolved = session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.end_reason == AssignmentEnd.RESOLVED)
    )
    paid = session.execute(
        select(Earning.created_at, Assignment.ended_at).join(
            Assignment,
            (Assignment.ticket_id == Earning.ticket_id)
            & (Assignment.expert_id == Earning.expert_id)
            & (Assignment.end_reason == AssignmentEnd.RESOLVED),
        )
    ).all()
    # What people did (arrivals and what customers, experts and agents wrote), by when: the
    # replay runs due jobs before the next thing anyone does, so no such moment falls between
    # a resolution and its earning.
    people_acted = sorted(
        list(session.scalars(select(Ticket.created_at)))
        + list(
            session.scalars(
                select(Message.created_at).where(
                    Message.author_kind.in_(
                        [AuthorKind.CUSTOMER, AuthorKind.EXPERT, AuthorKind.AGENT]
                    )
                )
            )
        )
    )

    assert session.scalar(select(func.count()).select_from(Earning)) == resolved
    assert len(paid) == resolved
    assert [
        (ended, earned)
        for earned, ended in paid
        if ended is None or earned < ended or any(ended < at < earned for at in people_acted)
    ] == []


def test_seed_ratings_feed_the_routing_totals(session: Session) -> None:
    counted = session.scalar(
        select(func.count())
        .select_from(Rating)
        .where(Rating.expert_id.is_not(None), Rating.reason.not_in(UNCONTROLLABLE_REASONS))
    )

    assert session.scalar(select(func.sum(Enrollment.rating_count))) == counted


def test_seed_refuses_when_brands_exist(
    seeded: tuple[DemoSummary, datetime], factory: sessionmaker[Session]
) -> None:
    with pytest.raises(DemoDataExists), unit_of_work(factory) as session:
        seed_demo(session, experts=2, tickets=2)

    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Expert)) == EXPERTS


def test_every_inquiry_fills_its_slots() -> None:
    slots = {
        "order", "product", "plan", "amount", "days", "city",
        "merchant", "last4", "integration", "invoice", "weekday",
    }  # fmt: skip
    used = {
        field
        for by_language in INQUIRIES.values()
        for inquiries in by_language.values()
        for subject, body in inquiries
        for text in (subject, body)
        for _, field, _, _ in string.Formatter().parse(text)
        if field
    }

    assert used <= set(slots)


def test_every_category_has_english_inquiries_and_programs_open() -> None:
    for brand in BRANDS:
        for program in brand.programs:
            request = program.create()
            assert len(request.rates) == 3 * len(program.gig_categories)
            for category in program.categories:
                assert "en" in INQUIRIES[category.key]


def test_every_expert_country_has_valid_time_zones_and_names() -> None:
    zones = available_timezones()

    for country in content.COUNTRIES:
        assert set(country.timezones) <= zones
        assert content.FIRST_NAMES[country.names]
        assert content.LAST_NAMES[country.names]


def test_seed_gives_coverage_four_weeks_of_presence_and_some_stated_hours(
    seeded: tuple[DemoSummary, datetime], session: Session
) -> None:
    _, started = seeded
    start = started - timedelta(days=HISTORY_DAYS)
    joined = {e: at for e, at in session.execute(select(Expert.id, Expert.created_at))}
    replayed = session.execute(
        select(PresenceSpan.expert_id, PresenceSpan.started_at).where(
            PresenceSpan.started_at >= start, PresenceSpan.ended_at.is_not(None)
        )
    ).all()
    copied = session.scalar(
        select(func.count()).select_from(PresenceSpan).where(PresenceSpan.started_at < start)
    )
    blocks: dict[object, set[tuple[int, int]]] = {}
    for row in session.scalars(select(ExpertAvailability)):
        blocks.setdefault(row.expert_id, set()).add((row.start_hour, row.end_hour))
    program = session.scalars(select(Program).order_by(Program.name, Program.id)).first()
    assert program is not None
    with clock.travel_to(started):
        found = compute_coverage(session, program, now=clock.now())

    assert copied == sum(1 for e, at in replayed if at - timedelta(days=14) >= joined[e]) > 0
    # One expert in three (of those with an active program) states one shift a day.
    assert 1 <= len(blocks) <= -(-EXPERTS // 3)
    assert all(len(shifts) == 1 for shifts in blocks.values())
    assert [row.language for row in found.languages] == list(program.languages)
    assert sum(cell.expected for row in found.languages for cell in row.cells) > 0
