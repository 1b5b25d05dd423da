"""A program's cost plan: in-house, crowd and blended cost per category, and what to move first.

The inputs are the brand's cost baseline and the last four weeks of the program's history:
tickets and their triaged complexity, the bot's answers, CSAT and QA, the rate card, surges,
fees and bonuses paid, and the experts qualified for each category with the hours they held work.

Two seams take better inputs when they exist:

- ``weekly_volumes`` (category key -> contacts a week) replaces the history's volumes (volumes
  the brand entered still win). Left out, it comes from the program's stored forecast of the
  week ahead, split over categories by their shares of the last four weeks;
- ``simulated`` (category key -> ``SimulatedMove``) replaces the Erlang estimate of the service
  level and monthly cost after a move with a simulation's.
"""

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.assist.enums import BotAttemptStatus
from gigcx.assist.models import BotAttempt
from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.errors import PermissionDenied
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, ExpertCapacity, ExpertLanguage, ExpertSkill
from gigcx.kit import clock
from gigcx.payments.enums import EarningKind
from gigcx.payments.models import Earning, Surge
from gigcx.planning import cost, transition
from gigcx.planning import queries as planning_queries
from gigcx.planning.cost_models import CostBaseline
from gigcx.planning.cost_schemas import CostBaselineIn
from gigcx.planning.service._simulations import simulated_moves
from gigcx.quality.models import Rating, Review
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.models import Assignment, Ticket

HISTORY = timedelta(days=28)
HISTORY_WEEKS = Decimal(4)
ZERO = Decimal(0)
ONE = Decimal(1)
DEFLECTED = (BotAttemptStatus.PENDING, BotAttemptStatus.CONFIRMED)
EXTRA_KINDS = (EarningKind.REVIEW, EarningKind.ESCALATION, EarningKind.BONUS)


def _require_staff(principal: Principal) -> None:
    if not (principal.is_brand_staff or principal.is_platform_admin or principal.is_system):
        raise PermissionDenied("only the brand's staff see its cost plan")


def baseline_of(
    session: Session, principal: Principal, program_id: uuid.UUID
) -> CostBaseline | None:
    """The program's cost baseline, if the brand has entered one."""
    _require_staff(principal)
    program = brands_service.get_program(session, principal, program_id)
    return session.scalar(select(CostBaseline).where(CostBaseline.program_id == program.id))


def save_baseline(
    session: Session, principal: Principal, program_id: uuid.UUID, data: CostBaselineIn
) -> CostBaseline:
    """Enter or change a program's in-house cost baseline (brand managers)."""
    program = brands_service.get_program(session, principal, program_id)
    if not (principal.can_manage_brand or principal.is_platform_admin or principal.is_system):
        raise PermissionDenied("only the brand's admins change its cost baseline")
    known = {c.key for c in program.categories}
    categories = {
        key: line.model_dump() for key, line in sorted(data.categories.items()) if key in known
    }
    baseline = session.scalar(select(CostBaseline).where(CostBaseline.program_id == program.id))
    if baseline is None:
        baseline = CostBaseline(brand_id=program.brand_id, program_id=program.id)
        session.add(baseline)
    values = data.model_dump(exclude={"categories"})
    for name, value in values.items():
        setattr(baseline, name, value)
    baseline.currency = program.currency
    baseline.categories = categories
    baseline.updated_at = clock.now()
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="planning.cost_baseline_saved",
        subject_type="program",
        subject_id=program.id,
        brand_id=program.brand_id,
        data={name: str(value) for name, value in values.items()},
    )
    return baseline


def terms_of(baseline: CostBaseline) -> cost.InhouseTerms:
    return cost.InhouseTerms(
        hourly_cost=baseline.hourly_cost,
        currency=baseline.currency,
        utilisation=baseline.utilisation,
        shrinkage=baseline.shrinkage,
        service_level_target=baseline.service_level_target,
        answer_within_seconds=baseline.answer_within_seconds,
        hours_open_per_month=baseline.hours_open_per_month,
    )


@dataclass
class History:
    """One category's last four weeks."""

    tickets: int = 0
    mix: dict[str, int] = field(default_factory=dict)
    deflected: int = 0
    ratings: int = 0
    satisfied: int = 0
    qa_average: Decimal | None = None
    tasks: int = 0
    surge_sum: Decimal = ZERO  # multipliers of the paid tasks, 1 for those without surge

    @property
    def deflection(self) -> Decimal:
        return Decimal(self.deflected) / Decimal(self.tickets) if self.tickets else ZERO

    @property
    def surge_multiplier(self) -> Decimal:
        return self.surge_sum / Decimal(self.tasks) if self.tasks else ONE

    @property
    def csat_satisfied(self) -> Decimal | None:
        return Decimal(self.satisfied) / Decimal(self.ratings) if self.ratings else None

    @property
    def mix_shares(self) -> dict[str, Decimal]:
        total = Decimal(sum(self.mix.values()))
        if not total:
            return {}
        return {c: Decimal(n) / total for c, n in sorted(self.mix.items())}


def _history(session: Session, program: Program, since: datetime) -> dict[str, History]:
    found: dict[str, History] = defaultdict(History)
    in_program = (Ticket.program_id == program.id, Ticket.created_at >= since)
    for key, complexity, n in session.execute(
        select(Ticket.category, Ticket.complexity, func.count())
        .where(*in_program, Ticket.status != TicketStatus.CANCELED)
        .group_by(Ticket.category, Ticket.complexity)
    ):
        found[key].tickets += int(n)
        found[key].mix[str(complexity)] = int(n)
    for key, n in session.execute(
        select(Ticket.category, func.count())
        .join(BotAttempt, BotAttempt.ticket_id == Ticket.id)
        .where(*in_program, BotAttempt.status.in_(DEFLECTED))
        .group_by(Ticket.category)
    ):
        found[key].deflected = int(n)
    for key, score, n in session.execute(
        select(Ticket.category, Rating.score, func.count())
        .join(Rating, Rating.ticket_id == Ticket.id)
        .where(Ticket.program_id == program.id, Rating.created_at >= since, ~Rating.is_voided)
        .group_by(Ticket.category, Rating.score)
    ):
        found[key].ratings += int(n)
        found[key].satisfied += int(n) if score >= 4 else 0
    for key, average in session.execute(
        select(Ticket.category, func.avg(Review.score))
        .join(Review, Review.ticket_id == Ticket.id)
        .where(
            Ticket.program_id == program.id,
            Review.completed_at >= since,
            ~Review.is_voided,
            Review.score.is_not(None),
        )
        .group_by(Ticket.category)
    ):
        found[key].qa_average = None if average is None else Decimal(str(average))
    for key, tasks, surged, multipliers in session.execute(
        select(Ticket.category, func.count(), func.count(Surge.id), func.sum(Surge.multiplier))
        .select_from(Earning)
        .join(Ticket, Ticket.id == Earning.ticket_id)
        .outerjoin(Surge, Surge.id == Earning.surge_id)
        .where(
            Earning.program_id == program.id,
            Earning.kind == EarningKind.TASK,
            Earning.created_at >= since,
        )
        .group_by(Ticket.category)
    ):
        found[key].tasks = int(tasks)
        found[key].surge_sum = Decimal(int(tasks) - int(surged)) + Decimal(multipliers or 0)
    return found


def _extras_per_task(session: Session, program: Program, since: datetime) -> Decimal:
    """Fees for reviews and escalations and bonuses, per task paid, in the program."""
    recent = (Earning.program_id == program.id, Earning.created_at >= since)
    extras = session.scalar(
        select(func.sum(Earning.amount)).where(*recent, Earning.kind.in_(EXTRA_KINDS))
    )
    tasks = session.scalar(select(func.count()).where(*recent, Earning.kind == EarningKind.TASK))
    return Decimal(extras or 0) / Decimal(tasks) if tasks else ZERO


def _bot_cost(session: Session, program: Program) -> Decimal:
    settings = assist_service.settings_for(session, program.id)
    if not settings.is_bot_enabled:
        return ZERO
    return settings.royalty_amount or ZERO


def _supply(
    session: Session, program: Program, since: datetime, until: datetime
) -> dict[str, list[cost.ExpertSupply]]:
    """Per category: certified, active experts with its skill level, a program language and
    room on a program channel, and the seats online they showed over the history."""
    statement = (
        select(Enrollment.expert_id, ExpertSkill.skill, ExpertSkill.level)
        .join(ExpertSkill, ExpertSkill.expert_id == Enrollment.expert_id)
        .where(
            Enrollment.program_id == program.id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Enrollment.expert_id.in_(
                select(ExpertLanguage.expert_id).where(
                    ExpertLanguage.language.in_(list(program.languages))
                )
            ),
        )
    )
    if program.requires_certification:
        statement = statement.where(Enrollment.certified_until > until)
    skilled = session.execute(statement).all()
    ids = sorted({expert_id for expert_id, _, _ in skilled})
    capacity = dict(
        session.execute(
            select(ExpertCapacity.expert_id, func.max(ExpertCapacity.max_concurrent))
            .where(
                ExpertCapacity.expert_id.in_(ids),
                ExpertCapacity.channel.in_(list(program.channels)),
            )
            .group_by(ExpertCapacity.expert_id)
        ).all()
    )
    hours = _hours_worked(session, program.brand_id, ids, since, until)
    monthly = cost.WEEKS_PER_MONTH / HISTORY_WEEKS
    levels = {c.key: c.required_skill_level for c in program.categories}
    pools: dict[str, list[cost.ExpertSupply]] = defaultdict(list)
    for expert_id, skill, level in skilled:
        if skill in levels and level >= levels[skill] and capacity.get(expert_id, 0) > 0:
            pools[skill].append(
                cost.ExpertSupply(int(capacity[expert_id]), hours.get(expert_id, ZERO) * monthly)
            )
    return pools


def _hours_worked(
    session: Session,
    brand_id: uuid.UUID,
    expert_ids: list[uuid.UUID],
    since: datetime,
    until: datetime,
) -> dict[uuid.UUID, Decimal]:
    """Hours each expert held work on the brand's tickets within ``[since, until)``."""
    if not expert_ids:
        return {}
    seconds: dict[uuid.UUID, float] = defaultdict(float)
    for expert_id, started, ended in session.execute(
        select(Assignment.expert_id, Assignment.started_at, Assignment.ended_at)
        .join(Ticket, Ticket.id == Assignment.ticket_id)
        .where(
            Ticket.brand_id == brand_id,
            Assignment.expert_id.in_(expert_ids),
            Assignment.started_at < until,
            (Assignment.ended_at.is_(None)) | (Assignment.ended_at > since),
        )
    ):
        begin, end = max(started, since), min(ended or until, until)
        if end > begin:
            seconds[expert_id] += (end - begin).total_seconds()
    return {e: Decimal(str(round(s / 3600, 4))) for e, s in seconds.items()}


@dataclass(frozen=True, slots=True)
class SimulatedMove:
    """What a simulation says about a category once it moves to the crowd."""

    service_level: float
    monthly_cost: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CategoryCost:
    """One category: its volume, the three costs per contact and the staffing behind them."""

    key: str
    name: str
    is_gig_eligible: bool
    volume_source: str  # entered, forecast or history
    history: History
    inhouse: cost.InhouseCost
    gig: cost.GigTerms
    blended: cost.Blended | None
    experts: int
    service: cost.GigService

    @property
    def monthly_volume(self) -> Decimal:
        return self.inhouse.monthly_volume

    @property
    def gig_monthly(self) -> Decimal | None:
        per_contact = self.gig.per_contact
        return None if per_contact is None else per_contact * self.monthly_volume

    @property
    def saving(self) -> Decimal | None:
        gig = self.gig_monthly
        return None if gig is None else self.inhouse.monthly - gig


@dataclass(frozen=True, slots=True)
class Proposal:
    """Move one category to the crowd: why (the score) and what follows (service and cost)."""

    rank: int
    ranked: transition.Ranked
    category: CategoryCost
    service_level_after: float
    monthly_cost_after: Decimal
    source: str  # erlang or simulation

    @property
    def service_level_before(self) -> float:
        return self.category.inhouse.staffing.service_level

    @property
    def monthly_saving(self) -> Decimal:
        return self.category.inhouse.monthly - self.monthly_cost_after


@dataclass(frozen=True, slots=True)
class CostPlan:
    program: Program
    baseline: CostBaseline
    since: datetime
    until: datetime
    categories: list[CategoryCost]
    proposals: list[Proposal]
    kept: list[tuple[CategoryCost, str]]  # categories not proposed, with why

    @property
    def currency(self) -> str:
        return self.baseline.currency

    def total(self, name: str) -> Decimal:
        """The monthly total of ``inhouse``, ``gig`` or ``blended`` over priced categories."""
        values: list[Any] = []
        for line in self.categories:
            if name == "inhouse":
                values.append(line.inhouse.monthly)
            elif name == "gig":
                values.append(line.gig_monthly if line.is_gig_eligible else line.inhouse.monthly)
            else:
                values.append(line.blended.monthly if line.blended else line.inhouse.monthly)
        return sum((v for v in values if v is not None), ZERO)


def _volume(
    key: str,
    entered: Mapping[str, Any],
    weekly_volumes: Mapping[str, Decimal] | None,
    history: History,
) -> tuple[Decimal, str]:
    stated = (entered.get(key) or {}).get("monthly_volume")
    if stated is not None:
        return Decimal(int(stated)), "entered"
    if weekly_volumes is not None and key in weekly_volumes:
        return cost.monthly_from_weekly(Decimal(weekly_volumes[key])), "forecast"
    return cost.monthly_from_weekly(Decimal(history.tickets) / HISTORY_WEEKS), "history"


def forecast_weekly_volumes(
    session: Session, program: Program, history: Mapping[str, History], *, at: datetime
) -> dict[str, Decimal] | None:
    """The forecast's contacts in the week from ``at``, split by each category's recent share."""
    start = at.replace(minute=0, second=0, microsecond=0)
    expected = planning_queries.expected_arrivals(
        session, program.id, start, start + timedelta(weeks=1)
    )
    seen = sum(h.tickets for h in history.values())
    if not expected or not seen:
        return None
    week = Decimal(str(round(sum(expected.values()), 2)))
    return {key: week * Decimal(h.tickets) / Decimal(seen) for key, h in history.items()}


def cost_plan(
    session: Session,
    principal: Principal,
    program_id: uuid.UUID,
    *,
    weekly_volumes: Mapping[str, Decimal] | None = None,
    simulated: Mapping[str, SimulatedMove] | None = None,
    at: datetime | None = None,
) -> CostPlan | None:
    """Cost every category of the program three ways and rank the ones to move first.

    None until the brand has entered the program's cost baseline.
    """
    baseline = baseline_of(session, principal, program_id)
    if baseline is None:
        return None
    program = brands_service.get_program(session, principal, program_id)
    until = at or clock.now()
    since = until - HISTORY
    terms = terms_of(baseline)
    history = _history(session, program, since)
    if weekly_volumes is None:
        weekly_volumes = forecast_weekly_volumes(session, program, history, at=until)
    supply = _supply(session, program, since, until)
    extras = _extras_per_task(session, program, since)
    bot_cost = _bot_cost(session, program)
    hours_open = Decimal(baseline.hours_open_per_month)
    lines = []
    for category in program.categories:
        past = history.get(category.key, History())
        volume, source = _volume(category.key, baseline.categories, weekly_volumes, past)
        aht = (baseline.categories.get(category.key) or {}).get("aht_seconds")
        aht_seconds = int(aht or baseline.aht_seconds)
        gig = cost.GigTerms(
            rates={
                str(r.complexity): r.amount
                for r in program.rates
                if r.category_key == category.key and r.language is None and r.time_band is None
            },
            # Without history the card's lines count alike.
            mix=past.mix_shares or {c: ONE for c in ("low", "medium", "high")},
            surge_multiplier=past.surge_multiplier,
            extras_per_task=extras,
            deflection=past.deflection,
            bot_cost=bot_cost,
        )
        gig_per_contact = gig.per_contact
        pool = supply.get(category.key, [])
        lines.append(
            CategoryCost(
                key=category.key,
                name=category.name or program.category_name(category.key),
                is_gig_eligible=category.is_gig_eligible,
                volume_source=source,
                history=past,
                inhouse=cost.inhouse_cost(terms, monthly_volume=volume, aht_seconds=aht_seconds),
                gig=gig,
                blended=(
                    None
                    if gig_per_contact is None or not category.is_gig_eligible
                    else cost.blended(
                        terms,
                        monthly_volume=volume,
                        aht_seconds=aht_seconds,
                        gig_per_contact=gig_per_contact,
                        gig_share=baseline.gig_share,
                    )
                ),
                experts=len(pool),
                service=cost.gig_service(
                    terms,
                    monthly_volume=volume,
                    aht_seconds=aht_seconds,
                    seats=cost.shown_seats(pool, hours_open=hours_open),
                ),
            )
        )
    if simulated is None:
        simulated = _simulated(session, program, lines)
    proposals, kept = _propose(lines, simulated)
    return CostPlan(program, baseline, since, until, lines, proposals, kept)


def _simulated(
    session: Session, program: Program, lines: list[CategoryCost]
) -> dict[str, SimulatedMove]:
    """The latest simulated day of each category's move: its service level, and its crowd pay
    per arriving ticket times the month's volume."""
    volumes = {line.key: line.monthly_volume for line in lines}
    moves = {}
    for key, report in simulated_moves(session, program).items():
        if key not in volumes or not report.get("arrivals"):
            continue
        per_ticket = Decimal(str(report["earnings_total"])) / Decimal(report["arrivals"])
        moves[key] = SimulatedMove(float(report["service_level"]), per_ticket * volumes[key])
    return moves


def _propose(
    lines: list[CategoryCost], simulated: Mapping[str, SimulatedMove]
) -> tuple[list[Proposal], list[tuple[CategoryCost, str]]]:
    kept: list[tuple[CategoryCost, str]] = []
    movable: list[CategoryCost] = []
    for line in lines:
        if not line.is_gig_eligible:
            kept.append((line, "the program keeps this category in house"))
        elif line.gig_monthly is None:
            kept.append((line, "the rate card has no base line for this category"))
        elif not line.monthly_volume:
            kept.append((line, "no volume to move"))
        else:
            movable.append(line)
    by_key = {line.key: line for line in movable}
    facts = [
        transition.CategoryFacts(
            key=line.key,
            monthly_volume=line.monthly_volume,
            mix=line.history.mix_shares,
            deflection=line.history.deflection,
            seats_shown=line.service.shown.agents,
            seats_needed=line.service.needed.agents,
            csat_satisfied=line.history.csat_satisfied,
            qa_average=line.history.qa_average,
            monthly_saving=line.saving or ZERO,
        )
        for line in movable
    ]
    proposals = []
    for position, ranked in enumerate(transition.rank(facts), start=1):
        line = by_key[ranked.facts.key]
        outcome = simulated.get(line.key)
        gig_monthly = line.gig_monthly or ZERO
        if outcome is None:
            after, monthly, source = line.service.shown.service_level, gig_monthly, "erlang"
        else:
            monthly = gig_monthly if outcome.monthly_cost is None else outcome.monthly_cost
            after, source = outcome.service_level, "simulation"
        proposals.append(Proposal(position, ranked, line, after, monthly, source))
    return proposals, kept
