"""Experts for brand staff: applicants to approve or decline, and the roster's performance."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gigcx.analytics import service as analytics
from gigcx.api.deps import SessionDep
from gigcx.brands.models import Program
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, Expert
from gigcx.experts.queries import readable_enrollments
from gigcx.web.deps import CsrfChecked, Submitted, WebStaff, redirect, render
from gigcx.web.routes.brand_common import page_context

router = APIRouter(include_in_schema=False)


@router.get("/brand/experts", response_class=HTMLResponse)
def experts(request: Request, session: SessionDep, user: WebStaff) -> Response:
    applicants = session.execute(
        readable_enrollments(user)
        .join(Expert, Expert.id == Enrollment.expert_id)
        .join(Program, Program.id == Enrollment.program_id)
        .where(Enrollment.status == EnrollmentStatus.APPLIED)
        .with_only_columns(Enrollment, Expert, Program.name)
        .order_by(Enrollment.created_at, Enrollment.id)
    ).all()
    context = page_context(
        user, applicants=applicants, roster=analytics.expert_roster(session, user)
    )
    return render(request, "brand/experts.html", context)


@router.post("/brand/experts/enrollments/{enrollment_id}/approve", dependencies=[CsrfChecked])
def approve(session: SessionDep, user: WebStaff, enrollment_id: uuid.UUID) -> Response:
    """Let the applicant work in the program."""
    experts_service.change_enrollment(session, user, enrollment_id, EnrollmentStatus.ACTIVE)
    return redirect("/brand/experts")


@router.post("/brand/experts/enrollments/{enrollment_id}/decline", dependencies=[CsrfChecked])
def decline(
    session: SessionDep, user: WebStaff, enrollment_id: uuid.UUID, form: Submitted
) -> Response:
    """Turn the application down, with a reason the applicant is shown."""
    reason = str(form.get("reason", "")).strip()
    experts_service.change_enrollment(
        session, user, enrollment_id, EnrollmentStatus.REMOVED, reason=reason
    )
    return redirect("/brand/experts")
