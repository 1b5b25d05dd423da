"""Simulated days: scenarios from a real program, recorded arrivals, runs a brand asks for."""

import traceback
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.enums import RoutingPolicy
from gigcx.brands.models import Program
from gigcx.errors import InvalidInput, NotFound, PermissionDenied
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.planning.simulation import compare
from gigcx.planning.simulation.models import SimulationRun
from gigcx.planning.simulation.world import Scenario, scenario_from_program
from gigcx.tickets.models import Ticket

MIX_DAYS = 28
# What a brand may ask of the console's job runner: the CLI and the benchmark go further.
MAX_TICKETS = 2000
MAX_EXPERTS = 200


class SimulationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such simulation")


def scenario_for(session: Session, program: Program, *, category: str | None = None) -> Scenario:
    """The program's settings with its languages and categories mixed as in its last 4 weeks
    (only ``category``'s work when one is given: what moving that category to the crowd means)."""
    since = clock.now() - timedelta(days=MIX_DAYS)
    recent = Ticket.program_id == program.id, Ticket.created_at >= since
    languages = session.execute(
        select(Ticket.language, func.count()).where(*recent).group_by(Ticket.language)
    ).all()
    categories = session.execute(
        select(Ticket.category, func.count()).where(*recent).group_by(Ticket.category)
    ).all()
    return scenario_from_program(
        program,
        language_shares={str(k): float(n) for k, n in languages},
        category_shares={category: 1.0}
        if category is not None
        else {str(k): float(n) for k, n in categories if k},
    )


def recorded_arrivals(
    session: Session, day: date, *, program_id: uuid.UUID | None = None
) -> list[float]:
    """A recorded day's ticket arrivals, as seconds after its midnight (UTC)."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    statement = select(Ticket.created_at).where(
        Ticket.created_at >= start, Ticket.created_at < start + timedelta(days=1)
    )
    if program_id is not None:
        statement = statement.where(Ticket.program_id == program_id)
    return sorted((at - start).total_seconds() for at in session.scalars(statement))


def parse_policies(text: str) -> tuple[RoutingPolicy, ...]:
    """``score,longest_idle`` -> the policies; an unknown name is refused with the known ones."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    known = [p.value for p in RoutingPolicy]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        named = ", ".join(unknown) or "(none)"
        raise InvalidInput(f"unknown routing policy {named}; choose from {', '.join(known)}")
    return tuple(dict.fromkeys(RoutingPolicy(name) for name in names))


def _require_staff(principal: Principal, brand_id: uuid.UUID) -> None:
    if principal.is_platform_admin:
        return
    if not principal.is_brand_staff or principal.brand_id != brand_id:
        raise PermissionDenied("only the brand's staff simulate its programs")


def request_simulation(
    session: Session,
    principal: Principal,
    program_id: uuid.UUID,
    *,
    tickets: int,
    experts: int,
    seed: int,
    policies: Sequence[RoutingPolicy],
    category: str | None = None,
) -> SimulationRun:
    """Queue a simulated day of the program for the job runner (bounded in size); with a
    category, a day of only that category's work, as if it moved to the crowd."""
    program = brands_service.get_program(session, principal, program_id)
    _require_staff(principal, program.brand_id)
    if category is not None:
        found = program.category(category)
        if found is None or not found.is_gig_eligible:
            raise InvalidInput("choose a category the program lets the crowd answer")
    if not 1 <= tickets <= MAX_TICKETS:
        raise InvalidInput(f"simulate between 1 and {MAX_TICKETS} tickets")
    if not 1 <= experts <= MAX_EXPERTS:
        raise InvalidInput(f"simulate between 1 and {MAX_EXPERTS} experts")
    if not policies:
        raise InvalidInput("choose at least one routing policy")
    run = SimulationRun(
        brand_id=program.brand_id,
        program_id=program.id,
        requested_by=principal.user_id,
        params={
            "tickets": tickets,
            "experts": experts,
            "seed": seed,
            "policies": [str(p) for p in policies],
            **({"category": category} if category is not None else {}),
        },
        status="queued",
        progress=0.0,
    )
    session.add(run)
    session.flush()
    jobs_service.enqueue(session, "planning.simulate", {"run_id": str(run.id)})
    return run


def list_runs(
    session: Session, principal: Principal, brand_id: uuid.UUID
) -> Sequence[SimulationRun]:
    """The brand's simulation runs, newest first."""
    _require_staff(principal, brand_id)
    return session.scalars(
        select(SimulationRun)
        .where(SimulationRun.brand_id == brand_id)
        .order_by(SimulationRun.created_at.desc(), SimulationRun.id)
        .limit(50)
    ).all()


def get_run(session: Session, principal: Principal, run_id: uuid.UUID) -> SimulationRun:
    run = session.get(SimulationRun, run_id)
    if run is None or not (
        principal.is_platform_admin
        or (principal.is_brand_staff and principal.brand_id == run.brand_id)
    ):
        raise SimulationNotFound()
    return run


def run_simulation(session: Session, run_id: uuid.UUID) -> None:
    """Play a queued run on a scratch SQLite database and store its report (idempotent)."""
    run = session.get(SimulationRun, run_id)
    if run is None or run.status in ("done", "failed"):
        return
    program = session.get(Program, run.program_id) if run.program_id else None
    if program is None:
        run.status, run.error = "failed", "the program no longer exists"
        return
    run.status, run.started_at = "running", clock.now()
    params: dict[str, Any] = dict(run.params)
    settings = compare.Settings(
        tickets=int(params["tickets"]),
        experts=int(params["experts"]),
        seed=int(params["seed"]),
        policies=tuple(RoutingPolicy(p) for p in params["policies"]),
    )
    scenario = scenario_for(session, program, category=params.get("category"))
    try:
        with compare.scratch_engine(None) as engine:
            report = compare.simulate(engine, scenario, settings)
    except Exception:
        run.status, run.error = "failed", traceback.format_exc(limit=4)
        run.finished_at = clock.now()
        return
    run.results = report.as_dict()
    run.status, run.progress, run.finished_at = "done", 1.0, clock.now()
    session.flush()


def simulated_moves(session: Session, program: Program) -> dict[str, dict[str, Any]]:
    """Per category, the latest finished simulated day of moving it to the crowd: the report of
    the program's own routing policy (else the first simulated)."""
    runs = session.scalars(
        select(SimulationRun)
        .where(SimulationRun.program_id == program.id, SimulationRun.status == "done")
        .order_by(SimulationRun.finished_at.desc(), SimulationRun.id)
    )
    found: dict[str, dict[str, Any]] = {}
    for run in runs:
        category = run.params.get("category")
        reports = (run.results or {}).get("policies") or []
        if not category or category in found or not reports:
            continue
        own = [r for r in reports if r.get("policy") == str(program.routing_policy)]
        found[category] = (own or reports)[0]
    return found
