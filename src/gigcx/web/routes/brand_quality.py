"""Quality for brand staff: scorecards, the review queue, calibration, appeals and tiers."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.errors import InvalidInput
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, Expert
from gigcx.experts.queries import readable_enrollments
from gigcx.kit import clock
from gigcx.quality import formulas
from gigcx.quality import service as quality_service
from gigcx.quality.enums import DisputeStatus, ReviewStatus, WarningStatus
from gigcx.quality.errors import ScorecardNotFound
from gigcx.quality.models import Scorecard
from gigcx.quality.queries import readable_scorecards
from gigcx.quality.schemas import CalibrationCreate, DisputeDecision, ReviewSubmit, ScorecardPut
from gigcx.tickets import service as tickets_service
from gigcx.training import service as training_service
from gigcx.views import staff as staff_views
from gigcx.web.deps import CsrfChecked, Submitted, WebStaff, redirect, render
from gigcx.web.forms import field_errors, plain_summary
from gigcx.web.routes.brand_common import form_text, page_context, programs_of, require_manager

router = APIRouter(include_in_schema=False)
STARTER_CRITERIA = (
    "greeting | Greets the customer by name | 1 | no",
    "accuracy | The answer is right | 3 | no",
    "pii | No personal data leaked | 0 | yes",
)
SAMPLING = ("sample_percent_new", "sample_percent_established", "sample_percent_senior")


def _names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = session.execute(select(Expert.id, Expert.display_name).where(Expert.id.in_(ids)))
    return {expert_id: name for expert_id, name in rows}


@router.get("/brand/quality", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, user: WebStaff) -> Response:
    programs = programs_of(session, user)
    scorecards = {s.program_id: s for s in session.scalars(readable_scorecards(user))}
    queue = quality_service.review_queue(session, user)
    recent = [
        r
        for r in quality_service.list_reviews(session, user, limit=50)
        if r.status == ReviewStatus.COMPLETED
    ][:20]
    disputes = quality_service.list_disputes(session, user, status=DisputeStatus.OPEN)
    warnings = quality_service.list_warnings(session, user, status=WarningStatus.OPEN)
    names = _names(
        session,
        {r.expert_id for r in queue + recent}
        | {d.expert_id for d in disputes}
        | {w.expert_id for w in warnings},
    )
    roster = session.execute(
        readable_enrollments(user)
        .join(Expert, Expert.id == Enrollment.expert_id)
        .where(Enrollment.status.in_([EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED]))
        .with_only_columns(Enrollment, Expert.display_name)
        .order_by(Enrollment.quality_score.desc().nulls_last(), Expert.display_name)
        .limit(200)
    ).all()
    context = page_context(
        user,
        roster=roster,
        now=clock.now(),
        programs=programs,
        program_names={p.id: p.name for p in programs},
        scorecards=scorecards,
        courses=training_service.list_courses(session, user),
        queue=queue,
        recent=recent,
        disputes=disputes,
        warnings=warnings,
        calibrations=quality_service.list_calibrations(session, user),
        names=names,
        rules=list(formulas.TIER_RULES.values()),
        formulas=formulas,
        errors={},
    )
    return render(request, "brand/quality.html", context)


def _criteria_text(scorecard: Scorecard | None) -> str:
    if scorecard is None:
        return "\n".join(STARTER_CRITERIA)
    return "\n".join(
        f"{c.key} | {c.label} | {c.weight} | {'yes' if c.is_auto_fail else 'no'}"
        for c in scorecard.criteria
    )


def _scorecard_page(
    request: Request,
    session: Session,
    user: Principal,
    program_id: uuid.UUID,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    program = brands_service.get_program(session, user, program_id)
    scorecard = session.scalar(readable_scorecards(user).where(Scorecard.program_id == program.id))
    defaults: dict[str, str] = {
        "name": scorecard.name if scorecard else f"{program.name} QA",
        "criteria": _criteria_text(scorecard),
        "low_csat_max": str(scorecard.low_csat_max if scorecard else 2),
    }
    for key in SAMPLING:
        defaults[key] = str(
            getattr(scorecard, key) if scorecard else ScorecardPut.model_fields[key].default
        )
    context = page_context(
        user, program=program, values={**defaults, **(values or {})}, errors=errors or {}
    )
    return render(request, "brand/scorecard.html", context, status_code=status_code)


@router.get("/brand/quality/programs/{program_id}/scorecard", response_class=HTMLResponse)
def scorecard_page(
    request: Request, session: SessionDep, user: WebStaff, program_id: uuid.UUID
) -> Response:
    return _scorecard_page(request, session, user, program_id)


@router.post("/brand/quality/programs/{program_id}/scorecard", dependencies=[CsrfChecked])
def save_scorecard(
    request: Request, session: SessionDep, user: WebStaff, program_id: uuid.UUID, form: Submitted
) -> Response:
    """Save the scorecard: one criterion per line, "key | label | weight | auto-fail yes/no"."""
    require_manager(user)
    values = {k: form_text(form, k) for k in ("name", "criteria", "low_csat_max", *SAMPLING)}
    errors: dict[str, str] = {}
    criteria: list[dict[str, Any]] = []
    for number, line in enumerate(values["criteria"].splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4 or not parts[2].isdigit() or parts[3].lower() not in {"yes", "no"}:
            errors["criteria"] = (
                f"line {number}: write key | label | weight | yes or no, "
                "such as 'accuracy | The answer is right | 3 | no'"
            )
            break
        criteria.append(
            {
                "key": parts[0],
                "label": parts[1],
                "weight": int(parts[2]),
                "is_auto_fail": parts[3].lower() == "yes",
            }
        )
    data: ScorecardPut | None = None
    if not errors:
        payload: dict[str, Any] = {"name": values["name"], "criteria": criteria}
        payload.update({k: values[k] for k in ("low_csat_max", *SAMPLING) if values[k]})
        try:
            data = ScorecardPut.model_validate(payload)
        except ValidationError as error:
            errors = {k.split(".")[0]: v for k, v in field_errors(error).items()}
    if data is not None:
        try:
            quality_service.put_scorecard(session, user, program_id, data)
        except InvalidInput as error:
            errors = {"criteria": error.detail}
    if errors:
        return _scorecard_page(
            request, session, user, program_id, values=values, errors=errors, status_code=400
        )
    return redirect("/brand/quality")


@router.get("/brand/quality/enrollments/{enrollment_id}", response_class=HTMLResponse)
def enrollment_quality(
    request: Request, session: SessionDep, user: WebStaff, enrollment_id: uuid.UUID
) -> Response:
    """An expert's quality score in one program, with every input, as the expert sees it."""
    enrollment = experts_service.get_enrollment(session, user, enrollment_id)
    program = brands_service.get_program(session, user, enrollment.program_id)
    breakdown = quality_service.quality_breakdown(
        session, expert_id=enrollment.expert_id, program_id=enrollment.program_id
    )
    context = page_context(
        user,
        enrollment=enrollment,
        program=program,
        breakdown=breakdown,
        expert_name=_names(session, {enrollment.expert_id}).get(enrollment.expert_id, ""),
        warnings=quality_service.list_warnings(session, user, expert_id=enrollment.expert_id),
    )
    return render(request, "brand/enrollment_quality.html", context)


@router.get("/brand/quality/reviews/{review_id}", response_class=HTMLResponse)
def review_page(
    request: Request, session: SessionDep, user: WebStaff, review_id: uuid.UUID
) -> Response:
    return _review_page(request, session, user, review_id)


def _review_page(
    request: Request,
    session: Session,
    user: Principal,
    review_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    template: str = "brand/review.html",
) -> Response:
    review = quality_service.get_review(session, user, review_id)
    scorecard = session.get(Scorecard, review.scorecard_id)
    if scorecard is None:
        raise ScorecardNotFound()
    context = page_context(
        user,
        review=review,
        scorecard=scorecard,
        messages=staff_views.review_conversation(session, user, review),
        expert_name=_names(session, {review.expert_id}).get(review.expert_id, ""),
        errors=errors or {},
    )
    return render(request, template, context, status_code=status_code)


@router.post("/brand/quality/reviews/{review_id}/complete", dependencies=[CsrfChecked])
def complete_review(
    request: Request, session: SessionDep, user: WebStaff, review_id: uuid.UUID, form: Submitted
) -> Response:
    """Score the ticket: a ticked criterion is met, an unticked one is missed."""
    review = quality_service.get_review(session, user, review_id)
    scorecard = session.get_one(Scorecard, review.scorecard_id)
    answers = {c.key: form.get(f"c-{c.key}") == "met" for c in scorecard.criteria}
    quality_service.complete_review(
        session, user, review_id, ReviewSubmit(answers=answers, comment=form_text(form, "comment"))
    )
    if review.calibration_id is not None:
        return redirect(f"/brand/quality/calibrations/{review.calibration_id}")
    return redirect("/brand/quality")


@router.post("/brand/quality/calibrations", dependencies=[CsrfChecked])
def start_calibration(session: SessionDep, user: WebStaff, form: Submitted) -> Response:
    """Have several reviewers score one resolved ticket."""
    try:
        data = CalibrationCreate.model_validate(
            {
                "ticket_id": form_text(form, "ticket_id"),
                "reviewers": form_text(form, "reviewers") or 3,
            }
        )
    except ValidationError as error:
        raise InvalidInput(plain_summary(error, labels={"ticket_id": "Ticket"})) from None
    calibration = quality_service.start_calibration(session, user, data)
    return redirect(f"/brand/quality/calibrations/{calibration.id}")


@router.get("/brand/quality/calibrations/{calibration_id}", response_class=HTMLResponse)
def calibration_page(
    request: Request, session: SessionDep, user: WebStaff, calibration_id: uuid.UUID
) -> Response:
    report = quality_service.calibration_report(session, user, calibration_id)
    ticket = tickets_service.get_ticket(session, user, report.calibration.ticket_id)
    context = page_context(user, report=report, ticket=ticket)
    return render(request, "brand/calibration.html", context)


@router.post("/brand/quality/disputes/{dispute_id}/decide", dependencies=[CsrfChecked])
def decide(session: SessionDep, user: WebStaff, dispute_id: uuid.UUID, form: Submitted) -> Response:
    """Decide an appeal with a reason that the expert sees."""
    try:
        data = DisputeDecision(
            overturn=form_text(form, "decision") == "overturn", reason=form_text(form, "reason")
        )
    except ValidationError as error:
        raise InvalidInput("give the reason for the decision (5 characters or more)") from error
    quality_service.decide_dispute(session, user, dispute_id, data)
    return redirect("/brand/quality")
