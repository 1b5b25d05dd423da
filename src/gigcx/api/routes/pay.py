"""Pay: payouts and statements, surges, bonus rules, effective hourly, legitimate escalations."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from gigcx.api.deps import (
    BrandManager,
    BrandStaff,
    CurrentPrincipal,
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
from gigcx.payments.schemas import (
    WEEK_PATTERN,
    BonusRuleCreate,
    BonusRuleRead,
    ExpertHourlyRead,
    PayoutRead,
    PayoutRunCreate,
    PayoutRunRead,
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
    result = payments_service.run_week(session, week=body.week)
    run = result.payouts
    return PayoutRunRead(
        week=run.week,
        payouts=run.payouts,
        lines=run.lines,
        totals=run.totals,
        carried=run.carried,
        bonuses=result.bonuses,
    )


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
