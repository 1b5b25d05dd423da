"""Cost per contact and the transition score on hand-built cases, to the cent and the digit."""

from decimal import Decimal

from gigcx.planning import cost, transition
from gigcx.planning.cost import ExpertSupply, GigTerms, InhouseTerms

TERMS = InhouseTerms(
    hourly_cost=Decimal("30.00"),
    currency="EUR",
    utilisation=Decimal("0.85"),
    shrinkage=Decimal("0.30"),
    service_level_target=Decimal("0.80"),
    answer_within_seconds=20,
    hours_open_per_month=200,
)
GIG = GigTerms(
    rates={"low": Decimal("2.00"), "medium": Decimal("3.50"), "high": Decimal("6.00")},
    mix={"low": Decimal("0.5"), "medium": Decimal("0.3"), "high": Decimal("0.2")},
    surge_multiplier=Decimal("1.20"),
    extras_per_task=Decimal("0.10"),
    deflection=Decimal("0.25"),
    bot_cost=Decimal("0.40"),
)


def test_inhouse_cost_per_contact_comes_from_erlang_staffed_hours() -> None:
    # 40,000 contacts over 200 open hours = 200 an hour; x 180 s / 3600 s = 10 Erlangs.
    # Erlang C: 14 agents answer 88.8 % within 20 s (13 would not reach 80 %); the 85 %
    # occupancy cap asks only ceil(10 / 0.85) = 12. Shrinkage 30 %: ceil(14 / 0.7) = 20
    # scheduled. 20 x 200 h = 4,000 paid hours x 30.00 = 120,000.00; / 40,000 = 3.00.
    result = cost.inhouse_cost(TERMS, monthly_volume=Decimal(40000), aht_seconds=180)

    assert result.calls_per_hour == Decimal(200)
    assert result.staffing.agents == 14
    assert result.staffing.scheduled == 20
    assert round(result.staffing.service_level, 5) == 0.88835
    assert result.paid_hours == Decimal(4000)
    assert result.monthly == Decimal("120000.00")
    assert result.per_contact == Decimal("3")


def test_gig_cost_per_contact_weighs_rates_surge_extras_and_the_bot() -> None:
    # Rate: 0.5 x 2.00 + 0.3 x 3.50 + 0.2 x 6.00 = 1.00 + 1.05 + 1.20 = 3.25.
    # Per task: 3.25 x 1.20 surge + 0.10 fees and bonuses = 4.00.
    # Per contact: 0.75 x 4.00 + 0.25 x 0.40 (bot) = 3.00 + 0.10 = 3.10.
    assert GIG.rate == Decimal("3.25")
    assert GIG.per_task == Decimal("4.0000")
    assert GIG.per_contact == Decimal("3.1")


def test_a_rate_card_without_the_categorys_lines_prices_nothing() -> None:
    terms = GigTerms({}, {"low": Decimal(1)}, Decimal(1), Decimal(0), Decimal(0), Decimal(0))

    assert terms.per_contact is None


def test_blended_cost_staffs_the_rest_in_house() -> None:
    # Half of 40,000 to the crowd: 20,000 x 3.10 = 62,000.00.
    # The other 20,000: 100 an hour = 5 Erlangs, 8 agents (88.0 %), ceil(8 / 0.7) = 12
    # scheduled, 12 x 200 h x 30.00 = 72,000.00. Together 134,000.00 / 40,000 = 3.35.
    result = cost.blended(
        TERMS,
        monthly_volume=Decimal(40000),
        aht_seconds=180,
        gig_per_contact=Decimal("3.10"),
        gig_share=Decimal("0.5"),
    )

    assert result.gig_monthly == Decimal("62000.000")
    assert result.inhouse.staffing.scheduled == 12
    assert result.inhouse.monthly == Decimal("72000.00")
    assert result.monthly == Decimal("134000.000")
    assert result.per_contact == Decimal("3.35")


def test_shown_seats_count_each_expert_for_the_hours_they_worked() -> None:
    # 100 of 200 open hours x 2 at once = 1; 300 (capped at 200) x 1 = 1; 50 / 200 x 3 = 0.75.
    experts = [
        ExpertSupply(capacity=2, hours_worked=Decimal(100)),
        ExpertSupply(capacity=1, hours_worked=Decimal(300)),
        ExpertSupply(capacity=3, hours_worked=Decimal(50)),
    ]

    assert cost.shown_seats(experts, hours_open=Decimal(200)) == 2


def test_gig_service_needs_seats_and_shows_what_the_crowd_has() -> None:
    # 20,000 a month over 200 h = 100 an hour = 5 Erlangs: 8 seats meet 80 % in 20 s;
    # 7 seats answer 74.0 %; none answer nobody.
    seven = cost.gig_service(TERMS, monthly_volume=Decimal(20000), aht_seconds=180, seats=7)
    none = cost.gig_service(TERMS, monthly_volume=Decimal(20000), aht_seconds=180, seats=0)

    assert seven.needed.agents == 8
    assert round(seven.shown.service_level, 3) == 0.740
    assert none.shown.service_level == 0.0


def test_a_month_holds_fifty_two_twelfths_of_a_week() -> None:
    assert cost.monthly_from_weekly(Decimal(120)) == Decimal(520)


def facts(key: str, volume: int, **overrides: object) -> transition.CategoryFacts:
    values: dict[str, object] = {
        "key": key,
        "monthly_volume": Decimal(volume),
        "mix": {},
        "deflection": Decimal(0),
        "seats_shown": 0,
        "seats_needed": 0,
        "csat_satisfied": None,
        "qa_average": None,
        "monthly_saving": Decimal(0),
    }
    values.update(overrides)
    return transition.CategoryFacts(**values)  # type: ignore[arg-type]


def test_the_score_ranks_big_simple_covered_categories_first() -> None:
    # orders: volume 1, simplicity 1 - (0.2 x 0.5) = 0.9, bot 0.4, supply 10/8 -> 1, quality
    # (0.9 + 0.8) / 2 = 0.85: 0.30 + 0.18 + 0.06 + 0.20 + 0.1275 = 0.8675.
    # billing: volume 0.5, simplicity 1 - (0.5 x 0.5 + 0.5) = 0.25, bot 0, supply 2/4 = 0.5,
    # quality 0.6: 0.15 + 0.05 + 0 + 0.10 + 0.09 = 0.39.
    # returns: volume 0.5, unknown mix and quality 0.5 each, bot 0, needs no seats (supply 1):
    # 0.15 + 0.10 + 0 + 0.20 + 0.075 = 0.525.
    orders = facts(
        "orders",
        1000,
        mix={"low": Decimal("0.8"), "medium": Decimal("0.2")},
        deflection=Decimal("0.4"),
        seats_shown=10,
        seats_needed=8,
        csat_satisfied=Decimal("0.9"),
        qa_average=Decimal(80),
    )
    billing = facts(
        "billing",
        500,
        mix={"medium": Decimal("0.5"), "high": Decimal("0.5")},
        seats_shown=2,
        seats_needed=4,
        csat_satisfied=Decimal("0.6"),
    )
    returns = facts("returns", 500)

    ranked = transition.rank([billing, returns, orders])

    assert [r.facts.key for r in ranked] == ["orders", "returns", "billing"]
    assert [r.score for r in ranked] == [Decimal("0.8675"), Decimal("0.525"), Decimal("0.39")]
    assert ranked[0].factors == {
        "volume": Decimal(1),
        "simplicity": Decimal("0.9"),
        "bot_coverage": Decimal("0.4"),
        "expert_supply": Decimal(1),
        "quality": Decimal("0.85"),
    }
    assert ranked[2].quality_risk == Decimal("0.4")


def test_ties_go_to_the_bigger_saving_then_the_key() -> None:
    a = facts("a", 100, monthly_saving=Decimal(5))
    b = facts("b", 100, monthly_saving=Decimal(9))
    c = facts("c", 100, monthly_saving=Decimal(5))

    assert [r.facts.key for r in transition.rank([c, a, b])] == ["b", "a", "c"]
