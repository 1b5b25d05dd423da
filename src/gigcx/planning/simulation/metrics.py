"""What a simulated day achieved, per hour and for the day, read from what the services wrote.

Every arrival ends the day in exactly one of four outcomes:

answered   an expert accepted an offer for it (whatever happened next: resolved, escalated
           by the expert, still being worked at the horizon)
abandoned  the customer gave up before any expert took it (its patience ran out)
escalated  routing sent it to the in-house team before any expert took it (no expert online,
           max offers or max wait reached, or an in-house category)
open       still waiting for an expert at the horizon

so answered + abandoned + escalated + open = arrivals.

Definitions (hours are by arrival, in UTC; T is the program's first-response target):

service_level   answered within T / (arrivals - open). Abandoned and escalated tickets count
                against it, whenever they left (no short-abandon exclusion).
asa_seconds     mean wait from arrival to acceptance over answered tickets.
abandon_rate    abandoned / arrivals.
escalations     escalated (before an expert) plus tickets escalated by the expert who held them.
expert_hours    hours experts were online (available) within the day and its drain.
utilisation     assigned seat-seconds / online seat-seconds (a seat is one ticket of capacity).
earnings_per_active_hour  each expert's ledger earnings / their online hours; the day reports
                the mean over experts who were online and the Gini coefficient of that spread.
skill_level     mean skill level of the accepting expert in the ticket's category;
skill_margin    the same minus the category's required level.
csat_proxy      a 1..5 score per finished arrival (open ones excluded):
                resolved by an expert 4.7, escalated by the expert 3.8, escalated before an
                expert 3.2, abandoned 1.5; minus 0.5 per target interval T waited beyond the
                first (at most 2), plus 0.1 per skill level above the required one; clipped
                to 1..5. Only a proxy: customers' ratings are not simulated.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.payments.models import Earning
from gigcx.planning.simulation.engine import DayLog, Fate
from gigcx.planning.simulation.world import World
from gigcx.tickets.enums import AssignmentEnd, TicketStatus
from gigcx.tickets.models import Assignment, Ticket


@dataclass
class HourMetrics:
    hour: int
    arrivals: int = 0
    answered: int = 0
    abandoned: int = 0
    escalated: int = 0
    open: int = 0
    service_level: float | None = None
    asa_seconds: float | None = None
    expert_hours: float = 0.0
    utilisation: float | None = None


@dataclass
class DayMetrics:
    policy: str
    arrivals: int
    answered: int
    abandoned: int
    escalated: int
    open: int
    resolved: int
    escalated_by_expert: int
    service_level: float | None
    target_seconds: int
    asa_seconds: float | None
    abandon_rate: float
    escalations: int
    expert_hours: float
    utilisation: float | None
    earnings_total: str
    currency: str
    earnings_per_active_hour: float | None
    earnings_gini: float | None
    skill_level: float | None
    skill_margin: float | None
    csat_proxy: float | None
    jobs_done: int
    jobs_failed: int
    wall_seconds: float
    tickets_per_second: float
    job_seconds: dict[str, float] = field(default_factory=dict)
    hours: list[HourMetrics] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def gini(values: list[float]) -> float | None:
    """The Gini coefficient of non-negative values (0: all equal; near 1: one has all)."""
    if not values:
        return None
    ordered = sorted(values)
    total = sum(ordered)
    if total <= 0:
        return 0.0
    n = len(ordered)
    weighted = sum((2 * (i + 1) - n - 1) * v for i, v in enumerate(ordered))
    return weighted / (n * total)


def csat_proxy(outcome: str, wait: float, target: float, margin: int) -> float:
    base = {"resolved": 4.7, "expert_escalated": 3.8, "escalated": 3.2, "abandoned": 1.5}
    late = min(max(wait / target - 1.0, 0.0), 4.0) * 0.5 if target > 0 else 0.0
    return min(5.0, max(1.0, base[outcome] - late + 0.1 * max(margin, 0)))


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _overlap(start: float, end: float, low: float, high: float) -> float:
    return max(0.0, min(end, high) - max(start, low))


def measure(
    session: Session,
    world: World,
    log: DayLog,
    *,
    policy: str,
    target_seconds: int,
    required_levels: dict[str, int],
    currency: str,
) -> DayMetrics:
    """Read the day back from the scratch database and sum it up."""
    statuses = dict(
        session.execute(
            select(Ticket.id, Ticket.status).where(Ticket.program_id == world.program_id)
        ).all()
    )
    assignments = session.execute(
        select(
            Assignment.ticket_id,
            Assignment.expert_id,
            Assignment.started_at,
            Assignment.ended_at,
            Assignment.end_reason,
        )
        .join(Ticket, Ticket.id == Assignment.ticket_id)
        .where(Ticket.program_id == world.program_id)
        .order_by(Assignment.started_at)
    ).all()
    earnings = dict(
        session.execute(
            select(Earning.expert_id, func.sum(Earning.amount))
            .where(Earning.program_id == world.program_id)
            .group_by(Earning.expert_id)
        ).all()
    )
    day_start = log.start
    horizon = log.horizon
    hours = [HourMetrics(hour) for hour in range(24)]
    outcomes: dict[str, int] = defaultdict(int)
    waits: list[float] = []
    levels: list[float] = []
    margins: list[float] = []
    scores: list[float] = []
    within: dict[int, int] = defaultdict(int)
    counted: dict[int, int] = defaultdict(int)
    hour_waits: dict[int, list[float]] = defaultdict(list)
    ended_by: dict[Any, AssignmentEnd | None] = {}
    for ticket_id, _expert, _started, _ended, reason in assignments:
        ended_by.setdefault(ticket_id, reason)
    for fate in log.fates:
        hour = min(int(fate.plan.at // 3600), 23)
        slot = hours[hour]
        slot.arrivals += 1
        status = statuses.get(fate.ticket_id) if fate.ticket_id is not None else None
        outcome = _outcome(fate, status)
        outcomes[outcome] += 1
        setattr(slot, outcome, getattr(slot, outcome) + 1)
        required = required_levels.get(fate.plan.category, 1)
        if outcome == "open":
            continue
        counted[hour] += 1
        if outcome == "answered":
            assert fate.accepted_at is not None
            wait = fate.accepted_at - fate.plan.at
            waits.append(wait)
            hour_waits[hour].append(wait)
            if wait <= target_seconds:
                within[hour] += 1
            levels.append(fate.level)
            margins.append(fate.level - required)
            expert_escalated = ended_by.get(fate.ticket_id) == AssignmentEnd.ESCALATED
            kind = "expert_escalated" if expert_escalated else "resolved"
            if expert_escalated:
                outcomes["escalated_by_expert"] += 1
            scores.append(csat_proxy(kind, wait, target_seconds, fate.level - required))
        else:
            end = fate.abandoned_at if fate.abandoned_at is not None else fate.plan.at
            scores.append(csat_proxy(outcome, end - fate.plan.at, target_seconds, 0))
    online: dict[int, float] = defaultdict(float)
    seats: dict[int, float] = defaultdict(float)
    expert_online: dict[Any, float] = {}
    for expert_id, plan in world.experts.items():
        total = 0.0
        for begin, end in plan.shifts:
            end = min(end, horizon)
            total += max(0.0, end - begin)
            for slot in hours:
                share = _overlap(begin, end, slot.hour * 3600, (slot.hour + 1) * 3600)
                online[slot.hour] += share
                seats[slot.hour] += share * plan.capacity
        expert_online[expert_id] = total
    busy: dict[int, float] = defaultdict(float)
    busy_total = 0.0
    for _ticket, _expert, started, ended, _reason in assignments:
        begin = (started - day_start).total_seconds()
        end = (ended - day_start).total_seconds() if ended is not None else horizon
        end = min(end, horizon)
        busy_total += max(0.0, end - begin)
        for slot in hours:
            busy[slot.hour] += _overlap(begin, end, slot.hour * 3600, (slot.hour + 1) * 3600)
    for slot in hours:
        if counted[slot.hour]:
            slot.service_level = round(within[slot.hour] / counted[slot.hour], 4)
        slot.asa_seconds = _round(_mean(hour_waits[slot.hour]), 1)
        slot.expert_hours = round(online[slot.hour] / 3600, 2)
        slot.utilisation = (
            _round(busy[slot.hour] / seats[slot.hour], 4) if seats[slot.hour] else None
        )
    seat_total = sum(
        sum(max(0.0, min(e, horizon) - b) for b, e in plan.shifts) * plan.capacity
        for plan in world.experts.values()
    )
    per_hour = [
        float(earnings.get(expert_id, Decimal(0))) / (seconds / 3600)
        for expert_id, seconds in expert_online.items()
        if seconds > 0
    ]
    finished = sum(counted.values())
    total_earned = sum((Decimal(v) for v in earnings.values()), Decimal(0))
    tickets = len(log.fates)
    return DayMetrics(
        policy=policy,
        arrivals=tickets,
        answered=outcomes["answered"],
        abandoned=outcomes["abandoned"],
        escalated=outcomes["escalated"],
        open=outcomes["open"],
        resolved=sum(1 for r in ended_by.values() if r == AssignmentEnd.RESOLVED),
        escalated_by_expert=outcomes["escalated_by_expert"],
        service_level=round(sum(within.values()) / finished, 4) if finished else None,
        target_seconds=target_seconds,
        asa_seconds=_round(_mean(waits), 1),
        abandon_rate=round(outcomes["abandoned"] / tickets, 4) if tickets else 0.0,
        escalations=outcomes["escalated"] + outcomes["escalated_by_expert"],
        expert_hours=round(sum(expert_online.values()) / 3600, 2),
        utilisation=_round(busy_total / seat_total, 4) if seat_total else None,
        earnings_total=f"{total_earned:.2f}",
        currency=currency,
        earnings_per_active_hour=_round(_mean(per_hour), 2),
        earnings_gini=_round(gini(per_hour), 4),
        skill_level=_round(_mean(levels), 3),
        skill_margin=_round(_mean(margins), 3),
        csat_proxy=_round(_mean(scores), 3),
        jobs_done=sum(log.jobs_done.values()),
        jobs_failed=sum(log.jobs_failed.values()),
        wall_seconds=round(log.wall_seconds, 2),
        tickets_per_second=round(tickets / log.wall_seconds, 1) if log.wall_seconds else 0.0,
        job_seconds={
            name: round(seconds, 2)
            for name, seconds in sorted(log.job_seconds.items(), key=lambda item: -item[1])
        },
        hours=hours,
    )


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _outcome(fate: Fate, status: TicketStatus | None) -> str:
    if fate.accepted_at is not None:
        return "answered"
    if fate.abandoned_at is not None or status == TicketStatus.CANCELED:
        return "abandoned"
    if status == TicketStatus.ESCALATED:
        return "escalated"
    return "open"
