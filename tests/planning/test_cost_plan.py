"""A program's cost plan from its baseline and history: costs, ranking, seams and who may see it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.brands.enums import RoutingPolicy
from gigcx.brands.errors import ProgramNotFound
from gigcx.brands.models import Program
from gigcx.errors import InvalidInput, PermissionDenied
from gigcx.kit import clock
from gigcx.planning import service as planning_service
from gigcx.planning.cost_models import CostBaseline
from gigcx.planning.cost_schemas import CostBaselineIn
from gigcx.planning.models import Forecast
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.tickets import make_ticket


def baseline(**categories: dict[str, int]) -> CostBaselineIn:
    return CostBaselineIn.model_validate(
        {
            "hourly_cost": "30.00",
            "utilisation": "0.85",
            "shrinkage": "0.30",
            "aht_seconds": 180,
            "service_level_target": "0.80",
            "answer_within_seconds": 20,
            "hours_open_per_month": 200,
            "gig_share": "0.5",
            "categories": categories,
        }
    )


def planned_program(session: Session) -> Program:
    brand = make_brand(session, currency="EUR")
    program = make_program(
        session, brand, gig_categories=("billing", "orders"), inhouse_categories=("legal",)
    )
    for category, complexity in (("billing", "low"), ("billing", "high"), ("orders", "low")):
        ticket = make_ticket(session, program, route=False, category=category)
        ticket.complexity = complexity  # type: ignore[assignment]
    make_expert(session, programs=[program], skills={"orders": 2})
    session.flush()
    planning_service.save_baseline(
        session,
        brand_admin(brand),
        program.id,
        baseline(
            billing={"monthly_volume": 40000},
            orders={"monthly_volume": 20000},
            legal={"monthly_volume": 1000},
            unknown={"monthly_volume": 5},
        ),
    )
    return program


def admin_of(program: Program) -> Principal:
    return Principal(role=Role.BRAND_ADMIN, brand_id=program.brand_id)


def test_the_plan_costs_each_category_three_ways_from_staffing_and_the_rate_card(
    session: Session,
) -> None:
    program = planned_program(session)

    plan = planning_service.cost_plan(session, admin_of(program), program.id)

    assert plan is not None
    lines = {line.key: line for line in plan.categories}
    assert sorted(lines) == ["billing", "legal", "orders"]
    assert plan.baseline.categories == {
        "billing": {"monthly_volume": 40000, "aht_seconds": None},
        "legal": {"monthly_volume": 1000, "aht_seconds": None},
        "orders": {"monthly_volume": 20000, "aht_seconds": None},
    }
    billing, orders = lines["billing"], lines["orders"]
    # billing: 40,000 a month, 14 agents, 20 scheduled, 4,000 h x 30.00 = 120,000.00 (3.00).
    assert billing.inhouse.staffing.scheduled == 20
    assert billing.inhouse.monthly == Decimal("120000.00")
    assert billing.inhouse.per_contact == Decimal(3)
    # Half low (2.00) and half high (6.00): 4.00 a task, no surge, fees or bot.
    assert billing.gig.per_contact == Decimal(4)
    assert billing.gig_monthly == Decimal(160000)
    # orders: 20,000 a month, 8 agents, 12 scheduled, 2,400 h x 30.00 = 72,000.00 (3.60);
    # all low (2.00): 40,000.00 in the crowd.
    assert orders.inhouse.monthly == Decimal("72000.00")
    assert orders.gig_monthly == Decimal(40000)
    assert orders.saving == Decimal("32000.00")
    # Blended half and half: 10,000 contacts in the crowd at 2.00 = 20,000.00.
    assert orders.blended is not None
    assert orders.blended.gig_monthly == Decimal("20000.0")
    assert orders.experts == 1
    assert orders.service.needed.agents == 8
    assert orders.service.shown.agents == 0
    assert (
        plan.total("inhouse")
        == Decimal("120000.00") + Decimal("72000.00") + lines["legal"].inhouse.monthly
    )


def test_proposals_rank_movable_categories_and_keep_the_others_with_a_reason(
    session: Session,
) -> None:
    program = planned_program(session)

    plan = planning_service.cost_plan(session, admin_of(program), program.id)

    assert plan is not None
    # billing: volume 1 (0.30) + simplicity 0.5 (0.10) + bot 0 + supply 0 + quality 0.5 (0.075)
    # orders: volume 0.5 (0.15) + simplicity 1 (0.20) + bot 0 + supply 0 + quality 0.5 (0.075)
    assert [(p.rank, p.category.key, p.ranked.score) for p in plan.proposals] == [
        (1, "billing", Decimal("0.475")),
        (2, "orders", Decimal("0.425")),
    ]
    assert [(line.key, why) for line, why in plan.kept] == [
        ("legal", "the program keeps this category in house")
    ]
    orders = plan.proposals[1]
    assert orders.source == "erlang"
    assert orders.service_level_after == 0.0
    assert round(orders.service_level_before, 3) == 0.880
    assert orders.monthly_saving == Decimal("32000.00")


def test_forecast_volumes_and_a_simulation_replace_history_and_erlang(session: Session) -> None:
    program = planned_program(session)
    admin = admin_of(program)
    planning_service.save_baseline(session, admin, program.id, baseline())

    plan = planning_service.cost_plan(
        session,
        admin,
        program.id,
        weekly_volumes={"orders": Decimal(3000)},
        simulated={"orders": planning_service.SimulatedMove(0.93, Decimal("30000"))},
    )

    assert plan is not None
    lines = {line.key: line for line in plan.categories}
    # 3,000 a week x 52 / 12 = 13,000 a month; billing had 2 tickets in 4 weeks: 0.5 a week.
    assert (lines["orders"].monthly_volume, lines["orders"].volume_source) == (
        Decimal(13000),
        "forecast",
    )
    assert lines["billing"].volume_source == "history"
    assert lines["billing"].monthly_volume == Decimal("0.5") * (Decimal(52) / Decimal(12))
    orders = next(p for p in plan.proposals if p.category.key == "orders")
    assert (orders.source, orders.service_level_after) == ("simulation", 0.93)
    assert orders.monthly_saving == lines["orders"].inhouse.monthly - Decimal(30000)


def test_no_plan_before_a_baseline(session: Session) -> None:
    program = make_program(session, make_brand(session))

    assert planning_service.cost_plan(session, admin_of(program), program.id) is None


def test_other_brands_and_experts_see_no_plan_and_agents_change_nothing(session: Session) -> None:
    program = planned_program(session)
    other = Principal(role=Role.BRAND_ADMIN, brand_id=make_brand(session).id)
    agent = Principal(role=Role.INHOUSE_AGENT, brand_id=program.brand_id)
    expert = make_expert(session, programs=[program])
    before = session.scalar(select(func.count()).select_from(CostBaseline))

    with pytest.raises(ProgramNotFound):
        planning_service.cost_plan(session, other, program.id)
    with pytest.raises(ProgramNotFound):
        planning_service.save_baseline(session, other, program.id, baseline())
    with pytest.raises(PermissionDenied):
        planning_service.cost_plan(
            session, Principal(role=Role.EXPERT, expert_id=expert.id), program.id
        )
    with pytest.raises(PermissionDenied):
        planning_service.save_baseline(session, agent, program.id, baseline())

    assert planning_service.cost_plan(session, agent, program.id) is not None
    assert session.scalar(select(func.count()).select_from(CostBaseline)) == before


def test_a_stored_forecast_gives_the_volumes_split_by_recent_shares(session: Session) -> None:
    program = planned_program(session)
    admin = admin_of(program)
    planning_service.save_baseline(session, admin, program.id, baseline())
    next_hour = clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    for hours_ahead, mean in ((0, 50.0), (30, 40.0), (24 * 7, 1000.0)):  # the last: too far
        session.add(
            Forecast(
                brand_id=program.brand_id,
                program_id=program.id,
                language="en",
                channel="chat",
                starts_at=next_hour + timedelta(hours=hours_ahead),
                mean=mean,
                lower=0.0,
                upper=mean,
                method="mstl",
                made_at=clock.now(),
            )
        )
    session.flush()

    plan = planning_service.cost_plan(session, admin, program.id)

    assert plan is not None
    lines = {line.key: line for line in plan.categories}
    # 90 in the week ahead; billing had 2 of the 3 recent tickets: 60 a week, orders 30.
    assert (lines["billing"].monthly_volume, lines["billing"].volume_source) == (
        Decimal(60) * Decimal(52) / Decimal(12),
        "forecast",
    )
    assert lines["orders"].monthly_volume == Decimal(30) * Decimal(52) / Decimal(12)


def test_a_simulated_day_of_the_move_replaces_the_erlang_estimate(session: Session) -> None:
    program = planned_program(session)
    admin = admin_of(program)
    run = planning_service.request_simulation(
        session,
        admin,
        program.id,
        tickets=40,
        experts=3,
        seed=1,
        policies=[RoutingPolicy.SCORE],
        category="orders",
    )
    run.status, run.finished_at = "done", clock.now()
    run.results = {
        "policies": [
            {"policy": "longest_idle", "arrivals": 40, "service_level": 0.5, "earnings_total": "1"},
            {"policy": "score", "arrivals": 40, "service_level": 0.875, "earnings_total": "80.00"},
        ]
    }
    session.flush()

    plan = planning_service.cost_plan(session, admin, program.id)

    assert plan is not None
    orders = next(p for p in plan.proposals if p.category.key == "orders")
    billing = next(p for p in plan.proposals if p.category.key == "billing")
    # The program routes by score; 80.00 over 40 tickets is 2.00 a ticket, x 20,000 a month.
    assert (orders.source, orders.service_level_after) == ("simulation", 0.875)
    assert orders.monthly_cost_after == Decimal("40000")
    assert billing.source == "erlang"


def test_only_a_category_the_crowd_may_answer_can_be_simulated_as_a_move(
    session: Session,
) -> None:
    program = planned_program(session)

    for category in ("legal", "nothing"):
        with pytest.raises(InvalidInput) as refused:
            planning_service.request_simulation(
                session,
                admin_of(program),
                program.id,
                tickets=40,
                experts=3,
                seed=1,
                policies=[RoutingPolicy.SCORE],
                category=category,
            )
        assert refused.value.detail == "choose a category the program lets the crowd answer"
    scenario = planning_service.scenario_for(session, program, category="orders")
    weights = {mix.key: mix.weight for mix in scenario.mix.categories if mix.weight}
    assert list(weights) == ["orders"]
