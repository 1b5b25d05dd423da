"""Cost per contact in house, in the crowd and blended: pure arithmetic on stated terms.

Money is Decimal throughout and never rounded here (pages round for display). Staffing comes
from Erlang C (gigcx.planning.erlang), on hourly intervals:

- contacts arrive evenly over the hours the in-house team is open:
  calls per hour = monthly volume / hours open per month;
- in-house agents on the floor are the fewest that answer the service-level target within the
  threshold, with utilisation as the occupancy cap; shrinkage then gives the agents to schedule;
- paid hours = scheduled agents x hours open per month; monthly cost = hourly cost x paid hours;
  in-house cost per contact = monthly cost / monthly volume. Each category is staffed as its own
  queue, as skill teams usually are (pooling categories would need fewer agents).

A crowd task costs its rate-card line (weighted by the category's complexity mix) times the
average surge multiplier paid, plus fees and bonuses per task; the bot answers a share of
contacts (deflection) for its own cost (the royalty per bot answer):

    gig per contact = (1 - deflection) x (rate x surge + extras) + deflection x bot cost

Blended for a split s (the share sent to the crowd): the crowd's cost of s x volume plus the
in-house cost of staffing the remaining (1 - s) x volume, per contact of the whole volume.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from gigcx.planning import erlang

HOUR_SECONDS = 3600
WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class InhouseTerms:
    """What the brand states about its in-house team."""

    hourly_cost: Decimal
    currency: str
    utilisation: Decimal  # occupancy cap, above 0 and at most 1
    shrinkage: Decimal  # 0 to below 1
    service_level_target: Decimal  # above 0 and below 1
    answer_within_seconds: int
    hours_open_per_month: int


def calls_per_hour(monthly_volume: Decimal, hours_open_per_month: int) -> Decimal:
    """Contacts per open hour when a month's volume arrives evenly over the open hours."""
    return monthly_volume / Decimal(hours_open_per_month)


@dataclass(frozen=True, slots=True)
class InhouseCost:
    """What staffing one category's volume in house takes and costs in a month."""

    monthly_volume: Decimal
    aht_seconds: int
    calls_per_hour: Decimal
    staffing: erlang.Staffing
    paid_hours: Decimal
    monthly: Decimal

    @property
    def per_contact(self) -> Decimal | None:
        return self.monthly / self.monthly_volume if self.monthly_volume else None


def inhouse_cost(terms: InhouseTerms, *, monthly_volume: Decimal, aht_seconds: int) -> InhouseCost:
    """Staff a month's volume in house at the brand's target and price the paid hours."""
    rate = calls_per_hour(monthly_volume, terms.hours_open_per_month)
    staffing = erlang.staff(
        calls=float(rate),
        interval_seconds=HOUR_SECONDS,
        aht_seconds=float(aht_seconds),
        target=float(terms.service_level_target),
        answer_within=float(terms.answer_within_seconds),
        shrinkage=float(terms.shrinkage),
        max_occupancy=float(terms.utilisation),
    )
    paid_hours = Decimal(staffing.scheduled) * Decimal(terms.hours_open_per_month)
    return InhouseCost(
        monthly_volume=monthly_volume,
        aht_seconds=aht_seconds,
        calls_per_hour=rate,
        staffing=staffing,
        paid_hours=paid_hours,
        monthly=terms.hourly_cost * paid_hours,
    )


@dataclass(frozen=True, slots=True)
class GigTerms:
    """What a crowd task of one category costs, from the rate card and recent pay."""

    rates: Mapping[str, Decimal]  # rate-card line per complexity
    mix: Mapping[str, Decimal]  # share of contacts per complexity (sums to 1)
    surge_multiplier: Decimal  # average multiplier over recently paid tasks (1: no surge)
    extras_per_task: Decimal  # fees and bonuses paid per task
    deflection: Decimal  # share of contacts the bot answers (0..1)
    bot_cost: Decimal  # what one bot answer costs (royalty)

    @property
    def rate(self) -> Decimal | None:
        """The rate per task, weighted by the complexity mix over the lines the card has."""
        priced = {c: share for c, share in self.mix.items() if c in self.rates and share > 0}
        weight = sum(priced.values(), ZERO)
        if not weight:
            return None
        return sum((self.rates[c] * share for c, share in priced.items()), ZERO) / weight

    @property
    def per_task(self) -> Decimal | None:
        rate = self.rate
        return None if rate is None else rate * self.surge_multiplier + self.extras_per_task

    @property
    def per_contact(self) -> Decimal | None:
        per_task = self.per_task
        if per_task is None:
            return None
        return (ONE - self.deflection) * per_task + self.deflection * self.bot_cost


@dataclass(frozen=True, slots=True)
class Blended:
    """A split of one category's volume between the crowd and the in-house team."""

    gig_share: Decimal
    gig_volume: Decimal
    gig_monthly: Decimal
    inhouse: InhouseCost
    monthly: Decimal

    @property
    def per_contact(self) -> Decimal | None:
        volume = self.gig_volume + self.inhouse.monthly_volume
        return self.monthly / volume if volume else None


def blended(
    terms: InhouseTerms,
    *,
    monthly_volume: Decimal,
    aht_seconds: int,
    gig_per_contact: Decimal,
    gig_share: Decimal,
) -> Blended:
    """Send ``gig_share`` of the volume to the crowd and staff the rest in house."""
    gig_volume = monthly_volume * gig_share
    rest = inhouse_cost(terms, monthly_volume=monthly_volume - gig_volume, aht_seconds=aht_seconds)
    gig_monthly = gig_per_contact * gig_volume
    return Blended(gig_share, gig_volume, gig_monthly, rest, gig_monthly + rest.monthly)


@dataclass(frozen=True, slots=True)
class ExpertSupply:
    """One qualified expert: the contacts they take at once and the hours they held work."""

    capacity: int
    hours_worked: Decimal


def shown_seats(experts: Sequence[ExpertSupply], *, hours_open: Decimal) -> int:
    """The crowd's seats online on average during ``hours_open``, from what it has shown.

    Each expert counts for the share of the open hours they held work (at most all of them)
    times the contacts they take at once; the total is rounded down.
    """
    if hours_open <= 0:
        return 0
    seats = sum((min(e.hours_worked, hours_open) / hours_open * e.capacity for e in experts), ZERO)
    return math.floor(seats)


@dataclass(frozen=True, slots=True)
class GigService:
    """The service a category gets from the crowd: the seats it needs and what it shows."""

    needed: erlang.Staffing  # the seats online that meet the target
    shown: erlang.Staffing  # what the shown seats achieve


def gig_service(
    terms: InhouseTerms, *, monthly_volume: Decimal, aht_seconds: int, seats: int
) -> GigService:
    """Erlang C on the crowd: the seats the target needs and the service ``seats`` give."""
    rate = float(calls_per_hour(monthly_volume, terms.hours_open_per_month))
    target = float(terms.service_level_target)
    within = float(terms.answer_within_seconds)
    needed = erlang.staff(
        calls=rate,
        interval_seconds=HOUR_SECONDS,
        aht_seconds=float(aht_seconds),
        target=target,
        answer_within=within,
    )
    shown = erlang.measure(
        seats,
        load=rate * aht_seconds / HOUR_SECONDS,
        aht_seconds=float(aht_seconds),
        answer_within=within,
    )
    return GigService(needed=needed, shown=shown)


def monthly_from_weekly(weekly: Decimal) -> Decimal:
    """A month's volume from a week's (52 weeks over 12 months)."""
    return weekly * WEEKS_PER_MONTH
