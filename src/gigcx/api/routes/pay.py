"""Pay: payouts and statements, surges, bonus rules, effective hourly, legitimate escalations."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from gigcx.api.deps import (
    BrandManager,
    BrandStaff,
    CurrentPrincipal,
    ExpertPrincipal,
    Page,
    PageDep,
    PlatformAdmin,
    SessionDep,
    paginate,
)
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.brands import service as brands_service
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments.enums import PayoutTrigger
from gigcx.payments.errors import PayoutMethodMissing
from gigcx.payments.schemas import (
    WEEK_PATTERN,
    BonusRuleCreate,
    BonusRuleRead,
    ExpertHourlyRead,
    PayoutLastRunRead,
    PayoutMethodRead,
    PayoutMethodUpdate,
    PayoutRead,
    PayoutRunCreate,
    PayoutRunRead,
    PayoutScheduleRead,
    ProgramHourlyRead,
    SurgeRead,
)

router = APIRouter(tags=["pay"], responses=ERROR_RESPONSES)


@router.get("/payouts")
def list_payouts(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    expert_id: uuid.UUID | None = None,
    week: Annotated[str | None, Query(pattern=WEEK_PATTERN, examples=["2026-W48"])] = None,
) -> Page[PayoutRead]:
    """Payouts: an expert's own, or those the brand pays; newest week first."""
    statement = payments_service.payouts_statement(principal, expert_id=expert_id, week=week)
    return paginate(session, statement, page, PayoutRead.model_validate)


@router.post("/payouts/runs", status_code=201)
def run_payouts(
    session: SessionDep, principal: PlatformAdmin, body: PayoutRunCreate
) -> PayoutRunRead:
    """Settle a finished week: its bonuses, then one payout per expert, brand and currency.

    Running a week again settles nothing more.
    """
    result = payments_service.run_week(
        session, week=body.week, trigger=PayoutTrigger.API, actor_id=principal.actor_id
    )
    return _run_read(result)


def _run_read(result: payments_service.WeeklyRun) -> PayoutRunRead:
    run = result.payouts
    return PayoutRunRead(
        week=run.week,
        payouts=run.payouts,
        lines=run.lines,
        totals=run.totals,
        carried=run.carried,
        held=run.held,
        bonuses=result.bonuses,
    )


@router.get("/payouts/schedule")
def payout_schedule(session: SessionDep, principal: BrandStaff) -> PayoutScheduleRead:
    """When the job runner settles the next week, and what the brand's last payout run did."""
    schedule = payments_service.payout_schedule(session, principal)
    last = schedule.last_run
    return PayoutScheduleRead(
        next_run_at=schedule.next_run_at,
        next_week=schedule.next_week,
        last_run=None
        if last is None
        else PayoutLastRunRead(
            at=last.at,
            week=last.week,
            trigger=last.trigger,
            payouts=last.payouts,
            lines=last.lines,
            totals={m.currency: m.amount for m in last.totals},
            held=last.held,
            carried=last.carried,
        ),
        failed=schedule.failed,
        retry_at=schedule.retry_at,
    )


@router.post("/payouts/settle-now")
def settle_now(session: SessionDep, principal: BrandManager) -> PayoutRunRead:
    """Settle the brand's last finished week now (brand admins); a second call pays nothing more.

    Experts without a payout method are held (counted in ``held``) and paid by a later run.
    """
    return _run_read(payments_service.settle_now(session, principal))


def _method_read(view: payments_service.PayoutMethodView) -> PayoutMethodRead:
    return PayoutMethodRead(
        kind=view.kind,
        account_holder=view.account_holder,
        iban_last4=view.iban_last4,
        paypal_email=view.paypal_email,
        summary=view.summary,
        updated_at=view.updated_at,
    )


@router.get("/experts/me/payout-method")
def get_payout_method(session: SessionDep, principal: ExpertPrincipal) -> PayoutMethodRead:
    """Where your payouts go (the IBAN by its last four characters); 404 until you enter one."""
    assert principal.expert_id is not None
    view = payments_service.payout_method_of(session, principal, principal.expert_id)
    if view is None:
        raise PayoutMethodMissing()
    return _method_read(view)


@router.put("/experts/me/payout-method")
def put_payout_method(
    session: SessionDep, principal: ExpertPrincipal, body: PayoutMethodUpdate
) -> PayoutMethodRead:
    """Enter or replace where your payouts go: a bank account (IBAN) or a PayPal address.

    Until you have one, payout runs hold your approved earnings.
    """
    view = payments_service.set_payout_method(
        session,
        principal,
        kind=body.kind,
        account_holder=body.account_holder,
        iban=body.iban,
        paypal_email=body.paypal_email,
    )
    return _method_read(view)


@router.get("/payouts/{payout_id}")
def get_payout(
    session: SessionDep, principal: CurrentPrincipal, payout_id: uuid.UUID
) -> PayoutRead:
    """One payout."""
    return PayoutRead.model_validate(payments_service.get_payout(session, principal, payout_id))


def statement_download(
    statement: payments_service.Statement, kind: Literal["csv", "pdf"]
) -> Response:
    """A payout statement as a file to download: "csv" or "pdf"."""
    if kind == "csv":
        body: str | bytes = payments_service.statement_csv(statement)
        media_type = "text/csv; charset=utf-8"
    else:
        body, media_type = payments_service.statement_pdf(statement), "application/pdf"
    disposition = f'attachment; filename="{statement.filename}.{kind}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get(
    "/payouts/{payout_id}/statement.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def statement_csv(
    session: SessionDep, principal: CurrentPrincipal, payout_id: uuid.UUID
) -> Response:
    """The payout's statement as CSV: one row per settled entry, then the total."""
    return statement_download(payments_service.statement_of(session, principal, payout_id), "csv")


@router.get(
    "/payouts/{payout_id}/statement.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def statement_pdf(
    session: SessionDep, principal: CurrentPrincipal, payout_id: uuid.UUID
) -> Response:
    """The payout's statement as PDF."""
    return statement_download(payments_service.statement_of(session, principal, payout_id), "pdf")


@router.get("/surges")
def list_surges(session: SessionDep, principal: CurrentPrincipal) -> list[SurgeRead]:
    """Surges: for an expert those announced or in force where they work; for staff the brand's."""
    if principal.is_expert and principal.expert_id is not None:
        notices = payments_service.surges_for_expert(session, principal, principal.expert_id)
        return [SurgeRead.model_validate(n.surge) for n in notices]
    return [
        SurgeRead.model_validate(s) for s in payments_service.surges_for_brand(session, principal)
    ]


@router.get("/programs/{program_id}/bonus-rules")
def list_bonus_rules(
    session: SessionDep, principal: CurrentPrincipal, program_id: uuid.UUID
) -> list[BonusRuleRead]:
    """The program's published bonus rules."""
    program = brands_service.get_program(session, principal, program_id)
    rules = payments_service.list_bonus_rules(session, [program.id])
    return [BonusRuleRead.model_validate(r) for r in rules]


@router.post("/programs/{program_id}/bonus-rules", status_code=201)
def create_bonus_rule(
    session: SessionDep, principal: BrandManager, program_id: uuid.UUID, body: BonusRuleCreate
) -> BonusRuleRead:
    """Publish a weekly bonus rule; it counts for weeks that end after it is published."""
    rule = payments_service.create_bonus_rule(session, principal, program_id, body)
    return BonusRuleRead.model_validate(rule)


@router.post("/bonus-rules/{rule_id}/retire")
def retire_bonus_rule(
    session: SessionDep, principal: BrandManager, rule_id: uuid.UUID
) -> BonusRuleRead:
    """Stop a bonus rule for weeks that have not ended; bonuses already earned stay."""
    return BonusRuleRead.model_validate(
        payments_service.retire_bonus_rule(session, principal, rule_id)
    )


@router.get("/programs/{program_id}/hourly")
def program_hourly(
    session: SessionDep, principal: BrandStaff, program_id: uuid.UUID
) -> ProgramHourlyRead:
    """Effective earnings per hour worked per expert over the last 7 days, against the floor."""
    program = brands_service.get_program(session, principal, program_id)
    until = clock.now()
    rows = payments_service.program_hourly(
        session, program.id, since=until - payments_service.FLOOR_WINDOW, until=until
    )
    check = payments_service.check_floor(session, program, at=until)
    return ProgramHourlyRead(
        program_id=program.id,
        currency=program.currency,
        floor=check.floor,
        median=check.median,
        is_below_floor=check.is_below,
        experts=[
            ExpertHourlyRead(
                expert_id=r.expert_id,
                display_name=r.display_name,
                earned=r.earned,
                hours_worked=r.hours_worked,
                per_hour=r.per_hour,
            )
            for r in rows
        ],
    )


@router.post("/tickets/{ticket_id}/escalation/legitimate", status_code=202)
def mark_escalation_legitimate(
    session: SessionDep, principal: BrandStaff, ticket_id: uuid.UUID
) -> dict[str, str]:
    """Mark an expert's escalation legitimate: they are paid the program's escalation share once."""
    expert_id = payments_service.mark_escalation_legitimate(session, principal, ticket_id)
    return {"expert_id": str(expert_id), "status": "payment queued"}
