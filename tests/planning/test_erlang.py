"""Erlang B, C and A against published values, their own identities, and a simulation."""

import heapq
import math
import random

import pytest

from gigcx.planning import erlang

# Call Centre Helper's worked example, as asserted by pyworkforce's and R ErlangC's test suites:
# 100 calls in 30 minutes, 3 minutes handle time, 80 % answered within 20 seconds.
EXAMPLE = {"calls": 100, "interval_seconds": 1800, "aht_seconds": 180, "answer_within": 20}


def test_the_published_example_needs_14_agents_and_20_with_30_percent_shrinkage() -> None:
    result = erlang.staff(**EXAMPLE, target=0.8, shrinkage=0.3)

    assert result.agents == 14
    assert result.scheduled == 20
    assert result.load == 10.0
    assert round(result.service_level, 4) == 0.8884
    assert round(result.waiting_probability, 4) == 0.1741
    assert round(result.asa_seconds, 2) == 7.84
    assert round(result.occupancy, 4) == 0.7143
    assert result.abandonment is None


def test_one_agent_fewer_misses_the_target_and_eleven_wait_most_of_the_time() -> None:
    thirteen = erlang.measure(13, load=10, aht_seconds=180, answer_within=20)
    eleven = erlang.measure(11, load=10, aht_seconds=180, answer_within=20)

    assert round(thirteen.service_level, 4) == 0.7956
    assert round(eleven.waiting_probability, 4) == 0.6821


def test_an_occupancy_cap_of_70_percent_raises_the_example_to_15_and_22_scheduled() -> None:
    result = erlang.staff(**EXAMPLE, target=0.8, shrinkage=0.3, max_occupancy=0.70)

    assert (result.agents, result.scheduled) == (15, 22)
    assert round(result.service_level, 3) == 0.941
    assert round(result.occupancy, 3) == 0.667
    assert round(result.waiting_probability, 3) == 0.102


@pytest.mark.parametrize(
    ("agents", "load", "blocking"),
    [(5, 2, 0.0367), (14, 10, 0.0568), (10, 5, 0.0184), (30, 25, 0.0526), (17, 10, 0.0129)],
)
def test_erlang_b_matches_published_tables(agents: int, load: float, blocking: float) -> None:
    assert round(erlang.erlang_b(agents, load), 4) == blocking


def test_m_m_3_waits_four_and_four_ninths_on_average() -> None:
    # lambda 0.2, mu 0.1: A = 2 Erlangs, AHT 10; P(wait) = 4/9, Wq = 40/9.
    result = erlang.measure(3, load=2, aht_seconds=10, answer_within=0)

    assert round(result.waiting_probability, 4) == 0.4444
    assert round(result.asa_seconds, 3) == 4.444


def test_erlang_a_becomes_erlang_c_as_patience_grows_without_end() -> None:
    patient = erlang.measure(14, load=10, aht_seconds=180, answer_within=20, patience_seconds=1e9)

    assert round(patient.service_level, 5) == 0.88835
    assert round(patient.waiting_probability, 5) == 0.17413
    assert round(patient.asa_seconds, 3) == 7.836
    assert patient.abandonment is not None
    assert patient.abandonment < 1e-6


def test_erlang_a_keeps_its_books_balanced() -> None:
    # Little and flow balance: answered load = busy agents; abandonment = theta Lq / lambda.
    result = erlang.measure(9, load=10, aht_seconds=180, answer_within=20, patience_seconds=120)

    assert result.abandonment is not None
    arrival_rate = 10 / 180
    queue_length = result.asa_seconds * arrival_rate
    assert math.isclose(result.abandonment, queue_length / 120 / arrival_rate, rel_tol=1e-12)
    assert math.isclose(result.occupancy, 10 * (1 - result.abandonment) / 9, rel_tol=1e-12)
    assert 0 < result.service_level < 1 - result.abandonment


def _simulate_m_m_n_plus_m(
    agents: int, arrival_rate: float, aht: float, patience: float, within: float, calls: int
) -> tuple[float, float]:
    """Share answered within ``within`` and share abandoned, from a seeded simulation."""
    draw = random.Random(7)
    free_at = [0.0] * agents  # a heap of the times each agent is next free
    heapq.heapify(free_at)
    clock = 0.0
    answered_in_time = abandoned = 0
    for _ in range(calls):
        clock += draw.expovariate(arrival_rate)
        gives_up_at = clock + draw.expovariate(1 / patience)
        handle = draw.expovariate(1 / aht)
        # FCFS: the earliest free agent takes the contact unless it gave up before then.
        start = max(clock, free_at[0])
        if start > gives_up_at:
            abandoned += 1
            continue
        heapq.heapreplace(free_at, start + handle)
        answered_in_time += start - clock <= within
    return answered_in_time / calls, abandoned / calls


def test_erlang_a_agrees_with_a_simulation_of_the_same_queue() -> None:
    simulated_level, simulated_abandonment = _simulate_m_m_n_plus_m(
        agents=9, arrival_rate=10 / 180, aht=180, patience=120, within=20, calls=200_000
    )
    exact = erlang.measure(9, load=10, aht_seconds=180, answer_within=20, patience_seconds=120)

    assert exact.abandonment is not None
    assert abs(exact.service_level - simulated_level) < 0.01
    assert abs(exact.abandonment - simulated_abandonment) < 0.01


def test_a_sweep_of_1_to_500_agents_stays_finite_and_monotone() -> None:
    previous_c = previous_a = -1.0
    for agents in range(1, 501):
        c = erlang.measure(agents, load=250, aht_seconds=180, answer_within=20)
        a = erlang.measure(
            agents, load=250, aht_seconds=180, answer_within=20, patience_seconds=300
        )
        for result in (c, a):
            for value in (result.service_level, result.waiting_probability, result.occupancy):
                assert math.isfinite(value)
                assert 0.0 <= value <= 1.0
        assert c.service_level >= previous_c
        assert a.service_level >= previous_a - 1e-12
        assert math.isfinite(a.asa_seconds)
        previous_c, previous_a = c.service_level, a.service_level
    assert previous_c == pytest.approx(1.0)


def test_hundreds_of_agents_staff_without_overflow() -> None:
    result = erlang.staff(
        calls=10_000, interval_seconds=1800, aht_seconds=180, target=0.8, answer_within=20
    )

    assert result.load == 1000.0
    assert result.agents == 1011
    assert result.service_level >= 0.8


def test_erlang_a_needs_fewer_agents_than_erlang_c_when_customers_give_up() -> None:
    with_patience = erlang.staff(**EXAMPLE, target=0.8, patience_seconds=300)

    assert with_patience.agents == 13
    assert with_patience.abandonment is not None
    assert round(with_patience.abandonment, 4) == 0.0250


def test_no_contacts_need_no_agents() -> None:
    result = erlang.staff(
        calls=0, interval_seconds=3600, aht_seconds=300, target=0.8, answer_within=60
    )

    assert (result.agents, result.scheduled, result.service_level) == (0, 0, 1.0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"interval_seconds": 0}, "the interval must be > 0"),
        ({"aht_seconds": -1}, "the handle time must be > 0 seconds"),
        ({"target": 1.0}, "the target service level must be between 0 and 1, e.g. 0.8"),
        ({"calls": math.nan}, "calls must be a number of 0 or more"),
        ({"shrinkage": 1.0}, "shrinkage must be at least 0 and below 1, e.g. 0.3"),
        ({"patience_seconds": 0}, "patience must be more than 0 seconds"),
        ({"calls": 1e12}, "the offered load (100000000000 Erlangs) is beyond what this plans for"),
    ],
)
def test_bad_inputs_are_refused_with_a_plain_message(
    changes: dict[str, float], message: str
) -> None:
    arguments: dict[str, float] = {**EXAMPLE, "target": 0.8, **changes}

    with pytest.raises(ValueError) as error:
        erlang.staff(**arguments)

    assert str(error.value) == message


def test_email_work_is_staffed_by_workload_and_spread_over_its_deadline() -> None:
    assert erlang.workload_agents(items=60, aht_seconds=300, interval_seconds=3600) == 6
    assert erlang.workload_agents(items=0, aht_seconds=300, interval_seconds=3600) == 0
    # 12 emails of 30 minutes in hour 0 may wait 4 hours: 6 work-hours spread over 4 hours.
    assert erlang.deadline_agents(
        [12, 0, 0, 0, 0], aht_seconds=1800, deadline_hours=4, occupancy=1.0
    ) == [2, 2, 2, 2, 0]
