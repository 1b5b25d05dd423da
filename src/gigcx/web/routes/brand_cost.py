"""Cost and transition planning in the brand console: the baseline form, costs and proposals."""

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.planning import service as planning_service
from gigcx.planning import transition
from gigcx.planning.cost_models import CostBaseline
from gigcx.planning.cost_schemas import (
    MAX_AHT_SECONDS,
    MAX_HOURLY_COST,
    MAX_HOURS_OPEN,
    MAX_MONTHLY_VOLUME,
    CostBaselineIn,
)
from gigcx.web.deps import CsrfChecked, Submitted, WebStaff, redirect, render
from gigcx.web.forms import field_errors
from gigcx.web.routes.brand_common import (
    form_text,
    optional_uuid,
    page_context,
    programs_of,
    require_manager,
)

router = APIRouter(include_in_schema=False)

PATH = "/brand/planning/cost"
SHARE_PLACES = Decimal("0.0001")
# The form's fields: name, label, lowest, highest, whether the bounds themselves are allowed,
# whether only whole numbers are; percentages are entered as 0-100.
FIELDS: dict[str, tuple[str, Decimal, Decimal, tuple[bool, bool], bool]] = {
    "hourly_cost": ("Loaded hourly cost", Decimal(0), MAX_HOURLY_COST, (False, True), False),
    "utilisation": ("Utilisation", Decimal(0), Decimal(100), (False, True), False),
    "shrinkage": ("Shrinkage", Decimal(0), Decimal(95), (True, False), False),
    "aht_seconds": ("Handle time", Decimal(1), Decimal(MAX_AHT_SECONDS), (True, True), True),
    "service_level_target": ("Target", Decimal(0), Decimal(100), (False, False), False),
    "answer_within_seconds": ("Answered within", Decimal(0), Decimal(86400), (True, True), True),
    "hours_open_per_month": ("Hours open", Decimal(1), Decimal(MAX_HOURS_OPEN), (True, True), True),
    "gig_share": ("Crowd share", Decimal(0), Decimal(100), (True, True), False),
}
PERCENTS = frozenset({"utilisation", "shrinkage", "service_level_target", "gig_share"})


def _bounds(low: Decimal, high: Decimal, inclusive: tuple[bool, bool], whole: bool) -> str:
    kind = "a whole number" if whole else "a number"
    above = f"at least {low}" if inclusive[0] else f"above {low}"
    below = f"at most {high}" if inclusive[1] else f"below {high}"
    return f"Enter {kind} {above} and {below}."


def parse_number(
    raw: str, *, low: Decimal, high: Decimal, inclusive: tuple[bool, bool], whole: bool
) -> tuple[Decimal | None, str | None]:
    """A number from the form within its bounds, or a plain sentence saying what to enter."""
    message = _bounds(low, high, inclusive, whole)
    try:
        value = Decimal(raw.replace(" ", ""))
    except InvalidOperation:
        return None, message
    if not value.is_finite() or (whole and value != value.to_integral_value()):
        return None, message
    if value < low or value > high or (value == low and not inclusive[0]):
        return None, message
    if value == high and not inclusive[1]:
        return None, message
    if not whole and value.as_tuple().exponent < -4:  # type: ignore[operator]
        return None, "Use at most four decimal places."
    return value, None


def read_form(
    form: Any, program: Program
) -> tuple[CostBaselineIn | None, dict[str, str], dict[str, str]]:
    """The baseline the form states, the errors by field, and the values as typed."""
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, (label, low, high, inclusive, whole) in FIELDS.items():
        raw = form_text(form, name)
        typed[name] = raw
        if not raw:
            errors[name] = f"Fill in the {label.lower()}."
            continue
        value, problem = parse_number(raw, low=low, high=high, inclusive=inclusive, whole=whole)
        if problem is not None or value is None:
            errors[name] = problem or "Enter a number."
        elif name in PERCENTS:
            values[name] = (value / 100).quantize(SHARE_PLACES)
        else:
            values[name] = int(value) if whole else value
    if "hourly_cost" in values and values["hourly_cost"] != values["hourly_cost"].quantize(
        Decimal("0.01")
    ):
        errors["hourly_cost"] = "Use at most two decimal places (cents)."
    categories: dict[str, dict[str, int | None]] = {}
    for category in program.categories:
        line: dict[str, int | None] = {"monthly_volume": None, "aht_seconds": None}
        limits: tuple[tuple[str, str, int], ...] = (
            ("volume", "monthly_volume", MAX_MONTHLY_VOLUME),
            ("aht", "aht_seconds", MAX_AHT_SECONDS),
        )
        for prefix, field, most in limits:
            name = f"{prefix}.{category.key}"
            raw = form_text(form, name)
            typed[name] = raw
            if not raw:
                continue
            low = Decimal(0) if prefix == "volume" else Decimal(1)
            value, problem = parse_number(
                raw, low=low, high=Decimal(most), inclusive=(True, True), whole=True
            )
            if problem is not None or value is None:
                errors[name] = problem or "Enter a whole number."
            else:
                line[field] = int(value)
        categories[category.key] = line
    if errors:
        return None, errors, typed
    try:
        return CostBaselineIn(**values, categories=categories), {}, typed
    except ValidationError as error:
        return None, field_errors(error) or {"form": "Check the figures."}, typed


def _typed_from(baseline: CostBaseline | None, program: Program) -> dict[str, str]:
    if baseline is None:
        return {}
    typed = {
        "hourly_cost": str(baseline.hourly_cost),
        "aht_seconds": str(baseline.aht_seconds),
        "answer_within_seconds": str(baseline.answer_within_seconds),
        "hours_open_per_month": str(baseline.hours_open_per_month),
    }
    for name in PERCENTS:
        typed[name] = format((getattr(baseline, name) * 100).normalize(), "f")
    for category in program.categories:
        line = baseline.categories.get(category.key) or {}
        for prefix, field in (("volume", "monthly_volume"), ("aht", "aht_seconds")):
            value = line.get(field)
            typed[f"{prefix}.{category.key}"] = "" if value is None else str(value)
    return typed


def _float(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 2)


def chart_data(plan: planning_service.CostPlan) -> dict[str, Any]:
    """Cost per contact per category, three ways (floats are for drawing only)."""
    lines = plan.categories
    return {
        "labels": [line.name for line in lines],
        "currency": plan.currency,
        "inhouse": [_float(line.inhouse.per_contact) for line in lines],
        "gig": [_float(line.gig.per_contact) if line.is_gig_eligible else None for line in lines],
        "blended": [_float(line.blended.per_contact if line.blended else None) for line in lines],
    }


def _page(
    request: Request,
    session: Session,
    user: Principal,
    program_id: uuid.UUID | None,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    programs = programs_of(session, user)
    program = None
    if program_id is not None:
        program = brands_service.get_program(session, user, program_id)
    elif programs:
        program = programs[0]
    baseline = plan = None
    if program is not None:
        baseline = planning_service.baseline_of(session, user, program.id)
        plan = planning_service.cost_plan(session, user, program.id)
    context = page_context(
        user,
        programs=programs,
        program=program,
        baseline=baseline,
        plan=plan,
        charts=chart_data(plan) if plan is not None else None,
        typed=typed if typed is not None else _typed_from(baseline, program) if program else {},
        errors=errors or {},
        weights=transition.WEIGHTS,
        factor_names=transition.FACTOR_NAMES,
        max_tickets=planning_service.MAX_TICKETS,
        max_experts=planning_service.MAX_EXPERTS,
    )
    return render(request, "brand/cost.html", context, status_code=status_code)


@router.get(PATH, response_class=HTMLResponse)
def cost_page(
    request: Request, session: SessionDep, user: WebStaff, program_id: str = ""
) -> Response:
    """What the program's work costs in house, in the crowd and blended; what to move first."""
    return _page(request, session, user, optional_uuid(program_id, label="program"))


@router.post(PATH, dependencies=[CsrfChecked])
def save_cost_baseline(
    request: Request, session: SessionDep, user: WebStaff, form: Submitted
) -> Response:
    require_manager(user)
    program_id = optional_uuid(form_text(form, "program_id"), label="program")
    if program_id is None:
        return _page(
            request, session, user, None, errors={"form": "Choose a program."}, status_code=400
        )
    program = brands_service.get_program(session, user, program_id)
    data, errors, typed = read_form(form, program)
    if data is None:
        return _page(
            request, session, user, program.id, typed=typed, errors=errors, status_code=400
        )
    planning_service.save_baseline(session, user, program.id, data)
    return redirect(f"{PATH}?program_id={program.id}&saved=1")
