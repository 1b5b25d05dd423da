"""The brand's human review queue (proposals and experts' requests) and its yearly tax report."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from gigcx.api.deps import SessionDep
from gigcx.errors import InvalidInput
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.quality import service as quality_service
from gigcx.quality.enums import HumanReviewKind
from gigcx.quality.schemas import HumanReviewDecision
from gigcx.quality.service._human_reviews import OUTCOMES
from gigcx.web.deps import CsrfChecked, Submitted, WebStaff, redirect, render
from gigcx.web.forms import plain_summary
from gigcx.web.routes.brand_common import page_context, programs_of, require_manager

router = APIRouter(include_in_schema=False)


@router.get("/brand/human-reviews", response_class=HTMLResponse)
def human_reviews(request: Request, session: SessionDep, user: WebStaff) -> Response:
    """Cases a person must decide: automated proposals and experts' requests, by due time."""
    cases = quality_service.list_human_reviews(session, user)
    expert_ids = {case.expert_id for case in cases}
    rows = session.execute(select(Expert.id, Expert.display_name).where(Expert.id.in_(expert_ids)))
    names = {expert_id: name for expert_id, name in rows}
    context = page_context(
        user,
        cases=cases,
        names=names,
        program_names={p.id: p.name for p in programs_of(session, user)},
        outcomes={kind.value: [o.value for o in OUTCOMES[kind]] for kind in HumanReviewKind},
        now=clock.now(),
        review_days=quality_service.review_due().days,
    )
    return render(request, "brand/human_reviews.html", context)


@router.post("/brand/human-reviews/{review_id}/decide", dependencies=[CsrfChecked])
def decide(session: SessionDep, user: WebStaff, review_id: uuid.UUID, form: Submitted) -> Response:
    """Decide a case with a reason the expert is shown."""
    require_manager(user)
    try:
        data = HumanReviewDecision.model_validate(
            {"outcome": form.get("outcome", ""), "reason": str(form.get("reason", "")).strip()}
        )
    except ValidationError as error:
        raise InvalidInput(plain_summary(error, labels={"reason": "Reason"})) from None
    quality_service.decide_human_review(session, user, review_id, data)
    return redirect("/brand/human-reviews")


def _year(value: str) -> int:
    if not value:
        return clock.now().year - 1
    if not value.isdigit() or not 2000 <= int(value) <= 2099:
        raise InvalidInput(f"year {value!r} is not a year from 2000 to 2099")
    return int(value)


@router.get("/brand/pay/tax-report", response_class=HTMLResponse)
def tax_report(request: Request, session: SessionDep, user: WebStaff, year: str = "") -> Response:
    """Experts the brand paid at least the year's threshold in USD, with missing tax profiles."""
    require_manager(user)
    report = payments_service.tax_report(session, user, year=_year(year))
    return render(request, "brand/tax_report.html", page_context(user, report=report))


@router.get("/brand/pay/tax-report.csv")
def tax_report_csv(session: SessionDep, user: WebStaff, year: str = "") -> Response:
    """The same report as CSV (tax ids by their last four only)."""
    require_manager(user)
    report = payments_service.tax_report(session, user, year=_year(year))
    disposition = f'attachment; filename="tax-report-{report.year}.csv"'
    return Response(
        payments_service.tax_report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )
