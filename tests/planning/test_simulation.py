import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from gigcx.brands.enums import Channel, RoutingPolicy
from gigcx.brands.schemas import CategoryIn, ProgramCreate, RateIn
from gigcx.cli.main import app
from gigcx.errors import PermissionDenied
from gigcx.kit import clock
from gigcx.payments.models import Earning
from gigcx.planning import service as planning_service
from gigcx.planning.simulation import people
from gigcx.planning.simulation.compare import Settings, measure_day, simulate_in
from gigcx.planning.simulation.engine import Day
from gigcx.planning.simulation.metrics import gini
from gigcx.planning.simulation.world import Scenario, build, mix_for
from gigcx.tickets.enums import OfferStatus
from gigcx.tickets.models import Assignment, Offer, Ticket
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.tickets import make_ticket

DAY = datetime(2026, 12, 1, tzinfo=UTC)
VOLATILE = ("wall_seconds", "tickets_per_second", "job_seconds")


def scenario() -> Scenario:
    request = ProgramCreate(
        name="Simulated help",
        slug="simulated-help",
        languages=["en", "es"],
        channels=[Channel.CHAT],
        categories=[
            CategoryIn(key="orders", name="Orders", required_skill_level=1),
            CategoryIn(key="returns", name="Returns", required_skill_level=2),
            CategoryIn(key="disputes", name="Disputes", is_gig_eligible=False),
        ],
        rates=[
            RateIn(category_key=key, complexity=complexity, amount=Decimal("2.00"))
            for key in ("orders", "returns")
            for complexity in ("low", "medium", "high")
        ],
        first_response_seconds=300,
        offer_ttl_seconds=60,
        max_wait_seconds=1200,
    )
    mix = mix_for(request, {"en": 3.0, "es": 1.0}, {"orders": 5.0, "returns": 4.0, "disputes": 1.0})
    return Scenario(request, mix)


def small_settings(**changes: object) -> Settings:
    values: dict[str, object] = {"tickets": 60, "experts": 8, "seed": 3, "drain_minutes": 30.0}
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def without_timing(result: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in result.items() if k not in VOLATILE}


def test_a_small_day_runs_through_the_real_services(session: Session) -> None:
    given = scenario()
    settings = small_settings()
    tickets = people.arrivals(settings.seed, given.mix, tickets=settings.tickets)
    experts = people.experts(settings.seed, given.mix, count=settings.experts, day=DAY)
    world = build(session, given, experts, at=DAY - timedelta(hours=12))

    log = Day(
        session,
        world,
        given.mix,
        tickets,
        people.offer_streams(settings.seed, len(experts)),
        start=DAY,
        drain_seconds=1800,
    ).run()
    metrics = measure_day(session, world, log, given, "score")

    stored = session.scalar(select(func.count()).select_from(Ticket)) or 0
    accepted = session.scalar(
        select(func.count()).select_from(Offer).where(Offer.status == OfferStatus.ACCEPTED)
    )
    assignments = session.scalar(select(func.count()).select_from(Assignment))
    earned = session.scalar(select(func.count()).select_from(Earning)) or 0
    assert stored == 60
    assert accepted == assignments == metrics.answered
    assert earned == metrics.resolved
    assert metrics.resolved > 0
    assert metrics.jobs_failed == 0
    assert metrics.answered + metrics.abandoned + metrics.escalated + metrics.open == 60
    assert sum(hour.arrivals for hour in metrics.hours) == 60
    assert sum(hour.answered for hour in metrics.hours) == metrics.answered
    earned_total = session.scalar(select(func.sum(Earning.amount))) or Decimal(0)
    assert Decimal(metrics.earnings_total) == earned_total


def test_the_same_seed_gives_the_same_day_and_policies_meet_the_same_arrivals(
    session: Session,
) -> None:
    settings = small_settings(policies=(RoutingPolicy.SCORE, RoutingPolicy.LONGEST_IDLE))

    first = session.begin_nested()
    once = simulate_in(session, scenario(), settings)
    first.rollback()
    second = session.begin_nested()
    again = simulate_in(session, scenario(), settings)
    second.rollback()

    assert [without_timing(r.as_dict()) for r in once.results] == [
        without_timing(r.as_dict()) for r in again.results
    ]
    score, idle = once.results
    assert [h.arrivals for h in score.hours] == [h.arrivals for h in idle.hours]
    assert score.arrivals == idle.arrivals == 60
    assert score.expert_hours == idle.expert_hours
    for result in once.results:
        assert result.answered + result.abandoned + result.escalated + result.open == 60


def test_arrivals_and_experts_are_drawn_from_the_seed_alone() -> None:
    mix = scenario().mix

    assert people.arrivals(5, mix, tickets=30) == people.arrivals(5, mix, tickets=30)
    assert people.arrivals(5, mix, tickets=30) != people.arrivals(6, mix, tickets=30)
    assert len(people.arrivals(5, mix, tickets=30)) == 30
    assert people.experts(5, mix, count=4, day=DAY) == people.experts(5, mix, count=4, day=DAY)
    recorded = people.arrivals(5, mix, tickets=0, times=[7200.0, 60.0])
    assert [plan.at for plan in recorded] == [60.0, 7200.0]


def test_a_profile_must_have_24_hours() -> None:
    with pytest.raises(ValueError, match="24 hourly values"):
        people.arrivals(1, scenario().mix, tickets=5, profile=[1.0] * 23)


def test_gini_of_equal_and_concentrated_earnings() -> None:
    assert gini([2.0, 2.0, 2.0]) == 0.0
    assert gini([0.0, 0.0, 0.0, 4.0]) == 0.75
    assert gini([]) is None


def test_plan_simulate_prints_json() -> None:
    result = CliRunner().invoke(
        app,
        [
            "plan",
            "simulate",
            "--tickets",
            "12",
            "--experts",
            "3",
            "--policies",
            "score,random",
            "--json",
        ],
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [p["policy"] for p in report["policies"]] == ["score", "random"]
    assert [p["arrivals"] for p in report["policies"]] == [12, 12]
    first = report["policies"][0]
    assert first["answered"] + first["abandoned"] + first["escalated"] + first["open"] == 12


def test_plan_simulate_refuses_an_unknown_policy() -> None:
    result = CliRunner().invoke(app, ["plan", "simulate", "--policies", "fastest"])

    assert result.exit_code == 1
    assert "unknown routing policy fastest" in result.output


def test_a_recorded_day_and_a_real_program_give_the_scenario(session: Session) -> None:
    program = make_program(session, make_brand(session), languages=("en", "de"))
    with clock.frozen_at(datetime(2026, 11, 3, 9, 30, tzinfo=UTC)):
        make_ticket(session, program, route=False)
    with clock.frozen_at(datetime(2026, 11, 3, 18, 0, tzinfo=UTC)):
        make_ticket(session, program, route=False, language="de")
    with clock.frozen_at(datetime(2026, 11, 4, 0, 0, tzinfo=UTC)):
        make_ticket(session, program, route=False)

    times = planning_service.recorded_arrivals(session, date(2026, 11, 3), program_id=program.id)
    with clock.frozen_at(datetime(2026, 11, 5, tzinfo=UTC)):
        found = planning_service.scenario_for(session, program)

    assert times == [9.5 * 3600, 18 * 3600]
    assert found.program.slug == program.slug
    assert found.program.first_response_seconds == program.first_response_seconds
    assert found.mix.languages == {"en": 2.0, "de": 1.0}


def test_a_run_is_seen_only_by_its_brand(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    run = planning_service.request_simulation(
        session,
        brand_admin(brand),
        program.id,
        tickets=5,
        experts=2,
        seed=1,
        policies=(RoutingPolicy.SCORE,),
    )
    other = make_brand(session)

    with pytest.raises(planning_service.SimulationNotFound):
        planning_service.get_run(session, brand_admin(other), run.id)
    assert planning_service.list_runs(session, brand_admin(brand), brand.id) == [run]
    with pytest.raises(PermissionDenied):
        planning_service.list_runs(session, brand_admin(other), brand.id)
