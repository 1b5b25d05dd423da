"""The brand's pay pages: payouts and statements, surges, and each program's pay settings."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.enums import Complexity, TimeBand
from gigcx.brands.models import Program
from gigcx.brands.schemas import ProgramUpdate
from gigcx.errors import DomainError
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments.schemas import BonusRuleCreate
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.forms import field_errors, plain_message
from gigcx.web.routes.brand_common import page_context, programs_of, require_manager

router = APIRouter(include_in_schema=False)

BLANK_RATE_ROWS = 3
SETTINGS = ("timezone", "onboarding_fee", "review_fee", "escalation_share", "hourly_floor")
BONUS_FIELDS = ("name", "min_tasks", "min_csat", "min_qa", "amount")


@router.get("/brand/pay", response_class=HTMLResponse)
def pay_overview(
    request: Request, session: SessionDep, user: WebStaff, week: str = "", settled: str = ""
) -> Response:
    """The payout schedule, payouts the brand made, surges and programs below their floor."""
    chosen = week.strip() or None
    payouts = payments_service.list_payouts(session, user, week=chosen)
    names = dict(
        session.execute(
            select(Expert.id, Expert.display_name).where(
                Expert.id.in_({p.expert_id for p in payouts})
            )
        ).all()
    )
    programs = {p.id: p.name for p in programs_of(session, user)}
    context = page_context(
        user,
        payouts=payouts,
        names=names,
        week=week,
        surges=payments_service.surges_for_brand(session, user, limit=20),
        program_names=programs,
        floors=payments_service.floor_checks(session, user),
        active_time_rule=payments_service.ACTIVE_TIME_RULE,
        schedule=payments_service.payout_schedule(session, user) if user.is_brand_staff else None,
        held=payments_service.held_pay(session, user, at=clock.now()),
        settled=bool(settled),
        now=clock.now(),
    )
    return render(request, "brand/pay.html", context)


@router.post("/brand/pay/settle-now", dependencies=[CsrfChecked])
def settle_now(session: SessionDep, user: WebStaff) -> Response:
    """Settle the last finished week now; a second press pays nothing twice."""
    require_manager(user)
    payments_service.settle_now(session, user)
    return redirect("/brand/pay?settled=1#schedule-h")


def _special_rates(program: Program) -> list[dict[str, str]]:
    return [
        {
            "category_key": r.category_key,
            "complexity": str(r.complexity),
            "language": r.language or "",
            "time_band": r.time_band or "",
            "amount": str(r.amount),
        }
        for r in program.rates
        if r.language is not None or r.time_band is not None
    ]


def _base_rates(program: Program) -> list[dict[str, Any]]:
    return [
        {"category_key": r.category_key, "complexity": r.complexity, "amount": r.amount}
        for r in program.rates
        if r.language is None and r.time_band is None
    ]


def _program_page(
    request: Request,
    session: Session,
    user: Principal,
    program_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    rate_rows: list[dict[str, str]] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    program = brands_service.get_program(session, user, program_id)
    until = clock.now()
    hourly = payments_service.program_hourly(
        session, program.id, since=until - payments_service.FLOOR_WINDOW, until=until
    )
    rows = rate_rows if rate_rows is not None else _special_rates(program)
    blank = {"category_key": "", "complexity": "", "language": "", "time_band": "", "amount": ""}
    settings = {
        "timezone": program.timezone,
        "onboarding_fee": str(program.onboarding_fee),
        "review_fee": str(program.review_fee),
        "escalation_share": f"{program.escalation_share.normalize():f}",
        "hourly_floor": "" if program.hourly_floor is None else str(program.hourly_floor),
    }
    context = page_context(
        user,
        program=program,
        settings=settings | (values or {}),
        errors=errors or {},
        rate_rows=[*rows, *([blank] * BLANK_RATE_ROWS)],
        categories=[(c.key, c.name or c.key) for c in program.categories if c.is_gig_eligible],
        complexities=[c.value for c in Complexity],
        bands=[b.value for b in TimeBand],
        rate_rule=brands_service.RATE_RULE,
        band_rules=brands_service.TIME_BAND_RULES,
        bonus_rules=payments_service.list_bonus_rules(session, [program.id]),
        describe_rule=payments_service.describe_rule,
        hourly=hourly,
        check=payments_service.check_floor(session, program, at=until),
        active_time_rule=payments_service.ACTIVE_TIME_RULE,
        notice=notice,
    )
    return render(request, "brand/program_pay.html", context, status_code=status_code)


@router.get("/brand/programs/{program_id}/pay", response_class=HTMLResponse)
def program_pay(
    request: Request, session: SessionDep, user: WebStaff, program_id: uuid.UUID, saved: str = ""
) -> Response:
    return _program_page(request, session, user, program_id, notice="Saved." if saved else None)


def _refused(
    request: Request,
    session: Session,
    user: Principal,
    program_id: uuid.UUID,
    errors: dict[str, str],
    **kwargs: Any,
) -> Response:
    return _program_page(
        request, session, user, program_id, errors=errors, status_code=400, **kwargs
    )


@router.post("/brand/programs/{program_id}/pay/settings", dependencies=[CsrfChecked])
async def save_settings(
    request: Request, session: SessionDep, user: WebStaff, program_id: uuid.UUID
) -> Response:
    """Change the program's time zone, fees and hourly floor."""
    require_manager(user)
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in SETTINGS}
    body: dict[str, Any] = {k: v for k, v in values.items() if k != "hourly_floor"}
    body["hourly_floor"] = values["hourly_floor"] or None
    try:
        data = ProgramUpdate.model_validate(body)
        brands_service.update_program(session, user, program_id, data)
    except ValidationError as error:
        return _refused(request, session, user, program_id, field_errors(error), values=values)
    except DomainError as error:
        return _refused(request, session, user, program_id, {"form": error.detail}, values=values)
    return redirect(f"/brand/programs/{program_id}/pay?saved=1")


def _submitted_rates(form: FormData) -> list[dict[str, str]]:
    rows = []
    for index in range(200):
        if f"rate-{index}-amount" not in form:
            break
        row = {
            part: str(form.get(f"rate-{index}-{part}", "")).strip()
            for part in ("category_key", "complexity", "language", "time_band", "amount")
        }
        if row["amount"]:
            rows.append(row)
    return rows


@router.post("/brand/programs/{program_id}/pay/rates", dependencies=[CsrfChecked])
async def save_rates(
    request: Request, session: SessionDep, user: WebStaff, program_id: uuid.UUID
) -> Response:
    """Replace the program's rate lines by language and time band; the base card stays."""
    require_manager(user)
    program = brands_service.get_program(session, user, program_id)
    rows = _submitted_rates(await request.form())
    lines = [
        {k: (v or None) if k in ("language", "time_band") else v for k, v in row.items()}
        for row in rows
    ]
    base = _base_rates(program)
    try:
        data = ProgramUpdate.model_validate({"rates": [*base, *lines]})
        brands_service.update_program(session, user, program_id, data)
    except ValidationError as error:
        errors: dict[str, str] = {}
        for item in error.errors():
            location = item["loc"]
            if len(location) >= 2 and isinstance(location[1], int) and location[1] >= len(base):
                row = location[1] - len(base)
                part = str(location[2]) if len(location) > 2 else "amount"
                errors.setdefault(f"rate-{row}-{part}", plain_message(item))
        return _refused(
            request,
            session,
            user,
            program_id,
            errors or {"rates": "Check the rate lines."},
            rate_rows=rows,
        )
    except DomainError as error:
        return _refused(request, session, user, program_id, {"rates": error.detail}, rate_rows=rows)
    return redirect(f"/brand/programs/{program_id}/pay?saved=1#rates-h")


@router.post("/brand/programs/{program_id}/pay/bonus-rules", dependencies=[CsrfChecked])
async def publish_bonus_rule(
    request: Request, session: SessionDep, user: WebStaff, program_id: uuid.UUID
) -> Response:
    """Publish a weekly bonus rule."""
    require_manager(user)
    form = await request.form()
    values = {f"bonus-{n}": str(form.get(f"bonus-{n}", "")).strip() for n in BONUS_FIELDS}
    body = {n: values[f"bonus-{n}"] or None for n in BONUS_FIELDS}
    body["min_tasks"] = body["min_tasks"] or "1"
    try:
        data = BonusRuleCreate.model_validate(body)
    except ValidationError as error:
        errors = {f"bonus-{k}": v for k, v in field_errors(error).items()}
        return _refused(request, session, user, program_id, errors, values=values)
    payments_service.create_bonus_rule(session, user, program_id, data)
    return redirect(f"/brand/programs/{program_id}/pay?saved=1#bonus-h")


@router.post("/brand/bonus-rules/{rule_id}/retire", dependencies=[CsrfChecked])
def retire_bonus_rule(
    session: SessionDep,
    user: WebStaff,
    rule_id: uuid.UUID,
    program_id: Annotated[uuid.UUID, Form()],
) -> Response:
    require_manager(user)
    payments_service.retire_bonus_rule(session, user, rule_id)
    return redirect(f"/brand/programs/{program_id}/pay?saved=1#bonus-h")


@router.post("/brand/tickets/{ticket_id}/legitimate", dependencies=[CsrfChecked])
def mark_legitimate(session: SessionDep, user: WebStaff, ticket_id: uuid.UUID) -> Response:
    """Mark the expert's escalation legitimate: they are paid the escalation share once."""
    payments_service.mark_escalation_legitimate(session, user, ticket_id)
    return redirect(f"/brand/tickets/{ticket_id}")
