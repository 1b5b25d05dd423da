"""What the expert's pages show about pay beyond the ledger: payouts, surges, bonus rules, and
the payout method form."""

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments.enums import PayoutMethodKind
from gigcx.payments.errors import InvalidPayoutMethod
from gigcx.payments.models import Earning, PayoutLine
from gigcx.web.deps import CsrfChecked, Submitted, WebExpert, redirect, render

router = APIRouter(include_in_schema=False)
METHOD_FIELDS = ("kind", "account_holder", "iban", "paypal_email")


@dataclass(frozen=True, slots=True)
class PublishedBonus:
    program_name: str
    name: str
    text: str


def surge_notices(
    session: Session, principal: Principal, expert_id: uuid.UUID
) -> list[payments_service.SurgeNotice]:
    return list(payments_service.surges_for_expert(session, principal, expert_id))


def earnings_context(
    session: Session, principal: Principal, expert_id: uuid.UUID, entries: list[Earning]
) -> dict[str, Any]:
    """Payouts with their statements, each entry's status, surges and the published bonuses."""
    now = clock.now()
    settled = set(
        session.scalars(
            select(PayoutLine.earning_id).where(PayoutLine.earning_id.in_([e.id for e in entries]))
        ).all()
    )
    statuses = {
        e.id: payments_service.earning_status(e.created_at, is_settled=e.id in settled, now=now)
        for e in entries
    }
    programs = session.execute(
        select(Program.id, Program.name, Program.currency)
        .join(Enrollment, Enrollment.program_id == Program.id)
        .where(Enrollment.expert_id == expert_id, Enrollment.status == EnrollmentStatus.ACTIVE)
    ).all()
    names = {program_id: (name, currency) for program_id, name, currency in programs}
    rules = payments_service.list_bonus_rules(session, list(names))
    since = now - payments_service.FLOOR_WINDOW
    hourly = [
        (names[program_id][0], names[program_id][1], row)
        for program_id in names
        for row in payments_service.program_hourly(
            session, program_id, since=since, until=now, expert_id=expert_id
        )
    ]
    return {
        "payouts": payments_service.list_payouts(session, principal, expert_id=expert_id, limit=26),
        "statuses": statuses,
        "surges": surge_notices(session, principal, expert_id),
        "surge_rule": payments_service.SURGE_RULE,
        "bonuses": [
            PublishedBonus(
                names[r.program_id][0],
                r.name,
                payments_service.describe_rule(r, names[r.program_id][1]),
            )
            for r in rules
        ],
        "hourly_by_program": sorted(hourly, key=lambda item: item[0]),
        "payout_method": payments_service.payout_method_of(session, principal, expert_id),
        "held": payments_service.held_pay(session, principal, at=now),
        "active_time_rule": payments_service.ACTIVE_TIME_RULE,
        "now": now,
    }


def _method_page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    assert user.expert_id is not None
    current = payments_service.payout_method_of(session, user, user.expert_id)
    shown = {
        "kind": current.kind.value if current else PayoutMethodKind.BANK_TRANSFER.value,
        "account_holder": current.account_holder if current else "",
        # The stored IBAN is never put back in the page; a change means typing it again.
        "iban": "",
        "paypal_email": current.paypal_email if current else "",
    }
    context = {
        "user": user,
        "current": current,
        "values": shown | (values or {}),
        "errors": errors or {},
        "saved": saved,
        "kinds": [(k.value, payments_service.KIND_NAMES[k]) for k in PayoutMethodKind],
    }
    return render(request, "expert/payout_method.html", context, status_code=status_code)


@router.get("/expert/earnings/payout-method", response_class=HTMLResponse)
def payout_method(
    request: Request, session: SessionDep, user: WebExpert, saved: str = ""
) -> Response:
    """Where the expert's payouts go, with the form to enter or change it."""
    return _method_page(request, session, user, saved=bool(saved))


@router.post("/expert/earnings/payout-method", dependencies=[CsrfChecked])
def save_payout_method(
    request: Request, session: SessionDep, user: WebExpert, form: Submitted
) -> Response:
    """Store the payout method; a bad IBAN or email is refused next to its field."""
    values = {name: str(form.get(name, "")).strip() for name in METHOD_FIELDS}
    try:
        payments_service.set_payout_method(
            session,
            user,
            kind=values["kind"],
            account_holder=values["account_holder"],
            iban=values["iban"],
            paypal_email=values["paypal_email"],
        )
    except InvalidPayoutMethod as error:
        return _method_page(
            request,
            session,
            user,
            values=values,
            errors={error.field: error.message},
            status_code=400,
        )
    return redirect("/expert/earnings/payout-method?saved=1")
