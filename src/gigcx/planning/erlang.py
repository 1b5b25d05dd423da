"""Staffing from queueing theory: Erlang B, Erlang C and Erlang A, exact and overflow-free.

Notation: ``load`` A = arrival rate x average handle time (Erlangs), ``agents`` N, ``within`` t
the service-level threshold, all times in seconds.

Erlang B comes from its recursion ``B(n) = A B(n-1) / (n + A B(n-1))``, which never forms a
factorial or a power, so it stays exact at thousands of agents. Erlang C follows from B:
``C = N B / (N - A (1 - B))`` for N > A (at N <= A the queue grows without end: everyone waits).

- service level  SL(t) = 1 - C exp(-(N - A) t / AHT)
- average speed of answer over all contacts  ASA = C AHT / (N - A)
- occupancy  A / N

Erlang A (M/M/N+M) adds customers' patience, exponential with mean ``patience``: a birth-death
chain with birth rate lambda and death rate ``min(n, N) mu + max(n - N, 0) theta``. Its states up
to N are Erlang B's (their sum is p_N / B), the states above are products of rates, summed until
the tail is below 1e-15. The service level counts abandoned contacts as the literature does (an
abandoned contact is a contact not answered within t): SL = P(answered within t) over all
arrivals, from the tagged customer's race between reaching an agent and giving up, solved with a
matrix exponential. ASA is the mean wait over all arrivals (Lq / lambda, Little's law).

Shrinkage (breaks, training, absence) is applied last: scheduled = ceil(agents / (1 - shrinkage)).
An occupancy cap, when given, raises agents to ceil(A / cap).
"""

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

MAX_AGENTS = 100_000
TAIL = 1e-15


@dataclass(frozen=True, slots=True)
class Staffing:
    """What a number of agents achieves on one interval's demand."""

    agents: int  # on the floor (answering)
    scheduled: int  # to schedule, after shrinkage
    load: float  # offered load in Erlangs
    service_level: float
    waiting_probability: float
    asa_seconds: float
    occupancy: float
    abandonment: float | None  # with patience (Erlang A) only

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def erlang_b(agents: int, load: float) -> float:
    """Return the blocking probability of ``agents`` servers offered ``load`` Erlangs."""
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    return blocking


def erlang_c(agents: int, load: float) -> float:
    """Return the probability that a contact waits (1 when agents cannot keep up)."""
    if load <= 0:
        return 0.0
    if agents <= load:
        return 1.0
    blocking = erlang_b(agents, load)
    return agents * blocking / (agents - load * (1.0 - blocking))


def _erlang_c_measures(
    agents: int, load: float, aht_seconds: float, within: float
) -> tuple[float, float, float]:
    """Service level, waiting probability and ASA (seconds) of Erlang C."""
    if load <= 0:
        return 1.0, 0.0, 0.0
    if agents <= load:
        return 0.0, 1.0, math.inf
    waiting = erlang_c(agents, load)
    service_level = 1.0 - waiting * math.exp(-(agents - load) * within / aht_seconds)
    return service_level, waiting, waiting * aht_seconds / (agents - load)


@dataclass(frozen=True, slots=True)
class _Chain:
    """Erlang A's stationary distribution from state N upward, and the mass below N."""

    below: float  # sum of p_n for n < N, in units of p_N
    above: np.ndarray  # p_N, p_N+1, ... in units of p_N (above[0] == 1)

    @property
    def total(self) -> float:
        return self.below + float(self.above.sum())


def _chain(agents: int, load: float, aht_seconds: float, patience_seconds: float) -> _Chain:
    """The birth-death chain of M/M/N+M, scaled so that p_N = 1."""
    arrival_rate = load / aht_seconds
    service_rate = 1.0 / aht_seconds
    abandon_rate = 1.0 / patience_seconds
    if agents == 0:
        below = 0.0
    else:
        blocking = erlang_b(agents, load)
        below = 1.0 / blocking - 1.0  # sum_{n<N} p_n / p_N
    terms = [1.0]
    term = 1.0
    total = below + 1.0
    k = 0
    while True:
        k += 1
        term *= arrival_rate / (agents * service_rate + k * abandon_rate)
        terms.append(term)
        total += term
        if term < TAIL * total and agents * service_rate + k * abandon_rate > arrival_rate:
            break
    return _Chain(below, np.array(terms))


def _answered_within(
    chain: _Chain, agents: int, aht_seconds: float, patience_seconds: float, within: float
) -> float:
    """P(a tagged arrival reaches an agent within ``within`` seconds), abandoned ones failing.

    An arrival that finds j contacts queued ahead of it moves up at rate N mu + j theta and gives
    up at rate theta; reaching the front it is answered at rate N mu. The answered-by-t
    probability from every start is one column of exp(Q t), the action of a sparse matrix
    exponential on a vector.
    """
    if agents == 0:
        return 0.0
    # Imported here: the app starts without scipy, which only patience-aware staffing needs.
    from scipy import sparse
    from scipy.sparse.linalg import expm_multiply

    service_rate = 1.0 / aht_seconds
    abandon_rate = 1.0 / patience_seconds
    size = len(chain.above)  # queue-ahead states 0 .. size-1, then answered, then abandoned
    answered, abandoned = size, size + 1
    ahead = np.arange(size)
    forward = agents * service_rate + ahead * abandon_rate
    rows = np.concatenate([ahead, ahead, ahead])
    columns = np.concatenate(
        [np.where(ahead > 0, ahead - 1, answered), np.full(size, abandoned), ahead]
    )
    rates = np.concatenate([forward, np.full(size, abandon_rate), -(forward + abandon_rate)])
    generator = sparse.csr_matrix((rates, (rows, columns)), shape=(size + 2, size + 2))
    target = np.zeros(size + 2)
    target[answered] = 1.0
    reached = expm_multiply(generator * within, target)[:size]
    queued = float(np.dot(chain.above, np.clip(reached, 0.0, 1.0)))
    return (chain.below + queued) / chain.total


def _erlang_a_measures(
    agents: int, load: float, aht_seconds: float, within: float, patience_seconds: float
) -> tuple[float, float, float, float]:
    """Service level, waiting probability, ASA (over all arrivals) and abandonment."""
    if load <= 0:
        return 1.0, 0.0, 0.0, 0.0
    chain = _chain(agents, load, aht_seconds, patience_seconds)
    total = chain.total
    waiting = float(chain.above.sum()) / total
    queue_length = float(np.dot(np.arange(len(chain.above)), chain.above)) / total
    arrival_rate = load / aht_seconds
    abandonment = queue_length / patience_seconds / arrival_rate
    asa = queue_length / arrival_rate
    service_level = _answered_within(chain, agents, aht_seconds, patience_seconds, within)
    return service_level, waiting, asa, abandonment


def measure(
    agents: int,
    *,
    load: float,
    aht_seconds: float,
    answer_within: float,
    patience_seconds: float | None = None,
    shrinkage: float = 0.0,
) -> Staffing:
    """Return what ``agents`` on the floor achieve on ``load`` Erlangs."""
    abandonment: float | None = None
    if patience_seconds is None:
        service_level, waiting, asa = _erlang_c_measures(agents, load, aht_seconds, answer_within)
        answered_load = load
    else:
        service_level, waiting, asa, abandonment = _erlang_a_measures(
            agents, load, aht_seconds, answer_within, patience_seconds
        )
        answered_load = load * (1.0 - abandonment)
    occupancy = min(answered_load / agents, 1.0) if agents else 0.0
    return Staffing(
        agents=agents,
        scheduled=scheduled(agents, shrinkage),
        load=load,
        service_level=service_level,
        waiting_probability=waiting,
        asa_seconds=asa,
        occupancy=occupancy,
        abandonment=abandonment,
    )


def scheduled(agents: int, shrinkage: float) -> int:
    """Agents to schedule so that ``agents`` remain after shrinkage."""
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError("shrinkage must be at least 0 and below 1")
    # Rounded first so that 14 / 0.7 (19.999…) schedules 20, not 21.
    return math.ceil(round(agents / (1.0 - shrinkage), 9))


def _validate(
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    target: float,
    answer_within: float,
    patience_seconds: float | None,
    max_occupancy: float | None,
) -> None:
    checks = [
        (math.isfinite(calls) and calls >= 0, "calls must be a number of 0 or more"),
        (math.isfinite(interval_seconds) and interval_seconds > 0, "the interval must be > 0"),
        (math.isfinite(aht_seconds) and aht_seconds > 0, "the handle time must be > 0 seconds"),
        (0.0 < target < 1.0, "the target service level must be between 0 and 1, e.g. 0.8"),
        (math.isfinite(answer_within) and answer_within >= 0, "answer-within must be >= 0"),
        (
            patience_seconds is None or (math.isfinite(patience_seconds) and patience_seconds > 0),
            "patience must be more than 0 seconds",
        ),
        (
            max_occupancy is None or 0.0 < max_occupancy <= 1.0,
            "the occupancy cap must be above 0 and at most 1",
        ),
    ]
    for is_valid, message in checks:
        if not is_valid:
            raise ValueError(message)


def staff(
    *,
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    target: float,
    answer_within: float,
    patience_seconds: float | None = None,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
) -> Staffing:
    """Return the fewest agents that answer ``target`` of ``calls`` within ``answer_within``."""
    _validate(
        calls, interval_seconds, aht_seconds, target, answer_within, patience_seconds, max_occupancy
    )
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError("shrinkage must be at least 0 and below 1, e.g. 0.3")
    load = calls * aht_seconds / interval_seconds
    if load > MAX_AGENTS / 2:
        raise ValueError(f"the offered load ({load:.0f} Erlangs) is beyond what this plans for")
    if load == 0:
        return measure(0, load=0.0, aht_seconds=aht_seconds, answer_within=answer_within)
    agents = 1 if patience_seconds is not None else math.floor(load) + 1
    if max_occupancy is not None:
        agents = max(agents, math.ceil(round(load / max_occupancy, 9)))
    while True:
        result = measure(
            agents,
            load=load,
            aht_seconds=aht_seconds,
            answer_within=answer_within,
            patience_seconds=patience_seconds,
            shrinkage=shrinkage,
        )
        if result.service_level >= target or agents >= MAX_AGENTS:
            return result
        agents += 1


def workload_agents(
    *, items: float, aht_seconds: float, interval_seconds: float, occupancy: float = 0.85
) -> int:
    """Agents who work ``items`` asynchronous contacts within the interval at ``occupancy``."""
    if items <= 0:
        return 0
    return math.ceil(round(items * aht_seconds / (interval_seconds * occupancy), 9))


def deadline_agents(
    arrivals: Sequence[float],
    *,
    aht_seconds: float,
    deadline_hours: int,
    occupancy: float = 0.85,
) -> list[int]:
    """Agents per hour for asynchronous work that must be answered within ``deadline_hours``.

    Work that may wait D hours can be spread over the D hours it may wait: hour h is staffed for
    the mean workload of the D hours ending at h. The simulation checks what this achieves on
    a real day.
    """
    if deadline_hours < 1:
        raise ValueError("the deadline must be at least one hour")
    agents = []
    for hour in range(len(arrivals)):
        window = arrivals[max(0, hour - deadline_hours + 1) : hour + 1]
        work_seconds = sum(window) * aht_seconds / deadline_hours
        agents.append(math.ceil(round(work_seconds / (3600.0 * occupancy), 9)))
    return agents
