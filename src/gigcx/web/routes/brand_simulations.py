"""Simulated days in the brand console: ask for one, follow the runs, compare the policies."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gigcx.api.deps import SessionDep
from gigcx.brands.enums import RoutingPolicy
from gigcx.errors import InvalidInput
from gigcx.planning import service as planning_service
from gigcx.routing.policies import POLICY_NAMES
from gigcx.web.deps import CsrfChecked, Submitted, WebStaff, redirect, render
from gigcx.web.routes.brand_common import form_text, page_context, programs_of, require_manager

router = APIRouter(include_in_schema=False)
PATH = "/brand/planning/simulations"
ROWS = (
    ("arrivals", "Arrivals"),
    ("answered", "Answered"),
    ("abandoned", "Abandoned"),
    ("escalated", "Escalated before an expert"),
    ("open", "Open at the end"),
    ("service_level", "Service level"),
    ("asa_seconds", "ASA (seconds, answered)"),
    ("abandon_rate", "Abandonment"),
    ("escalations", "Escalations (all)"),
    ("expert_hours", "Expert-hours online"),
    ("utilisation", "Utilisation"),
    ("earnings_total", "Earnings"),
    ("earnings_per_active_hour", "Earnings per active hour"),
    ("earnings_gini", "Spread of earnings per hour (Gini)"),
    ("skill_level", "Skill level of the expert who took it"),
    ("csat_proxy", "CSAT proxy (1 to 5)"),
)
SHARES = {"service_level", "abandon_rate", "utilisation"}


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if key in SHARES:
        return f"{value * 100:.1f} %"
    return f"{value:,.2f}" if isinstance(value, float) else str(value)


def comparison(results: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The table's rows: a measure and its value per policy."""
    policies = results.get("policies", [])
    return [(label, [_cell(key, p.get(key)) for p in policies]) for key, label in ROWS]


def chart_data(results: dict[str, Any]) -> dict[str, Any]:
    """Per hour and policy: service level and utilisation in %, ASA in seconds."""
    series: dict[str, Any] = {"labels": [f"{h:02d}:00" for h in range(24)], "policies": []}
    for policy in results.get("policies", []):
        hours = policy.get("hours", [])

        def percent(key: str, hours: list[dict[str, Any]] = hours) -> list[float | None]:
            return [None if h[key] is None else round(h[key] * 100, 1) for h in hours]

        series["policies"].append(
            {
                "name": policy["policy"],
                "service_level": percent("service_level"),
                "utilisation": percent("utilisation"),
                "asa": [h["asa_seconds"] for h in hours],
                "arrivals": [h["arrivals"] for h in hours],
            }
        )
    return series


def _page(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    *,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    brand_id = require_manager(user)
    context = page_context(
        user,
        runs=planning_service.list_runs(session, user, brand_id),
        programs=programs_of(session, user),
        policies=list(POLICY_NAMES.items()),
        errors=errors or [],
        max_tickets=planning_service.MAX_TICKETS,
        max_experts=planning_service.MAX_EXPERTS,
    )
    return render(request, "brand/simulations.html", context, status_code=status_code)


@router.get(PATH, response_class=HTMLResponse)
def simulations(request: Request, session: SessionDep, user: WebStaff) -> Response:
    return _page(request, session, user)


def _number(form: Submitted, name: str, default: int) -> int:
    text = form_text(form, name)
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number") from None


@router.post(PATH, dependencies=[CsrfChecked])
def ask(request: Request, session: SessionDep, user: WebStaff, form: Submitted) -> Response:
    require_manager(user)
    try:
        program_id = uuid.UUID(form_text(form, "program_id"))
    except ValueError:
        return _page(request, session, user, errors=["Choose a program."], status_code=400)
    chosen = [str(p) for p in form.getlist("policies")]
    try:
        policies = [RoutingPolicy(name) for name in chosen]
        run = planning_service.request_simulation(
            session,
            user,
            program_id,
            tickets=_number(form, "tickets", 300),
            experts=_number(form, "experts", 30),
            seed=_number(form, "seed", 1),
            policies=policies,
            category=form_text(form, "category") or None,
        )
    except ValueError:
        return _page(request, session, user, errors=["Choose known policies."], status_code=400)
    except InvalidInput as error:
        return _page(request, session, user, errors=[error.detail], status_code=400)
    return redirect(f"{PATH}/{run.id}")


@router.get(PATH + "/{run_id}", response_class=HTMLResponse)
def result(request: Request, session: SessionDep, user: WebStaff, run_id: uuid.UUID) -> Response:
    require_manager(user)
    run = planning_service.get_run(session, user, run_id)
    results = run.results or {}
    context = page_context(
        user,
        run=run,
        policies=[p["policy"] for p in results.get("policies", [])],
        rows=comparison(results),
        charts=chart_data(results),
    )
    return render(request, "brand/simulation.html", context)
