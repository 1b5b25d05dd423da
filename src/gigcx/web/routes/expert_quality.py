"""The expert's training (courses, quizzes, certifications) and quality pages."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from gigcx.api.deps import SessionDep
from gigcx.brands.models import Program
from gigcx.errors import InvalidInput
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.kit import clock
from gigcx.quality import formulas
from gigcx.quality import service as quality_service
from gigcx.quality.enums import ReviewReason, ReviewStatus
from gigcx.quality.models import Rating, Scorecard
from gigcx.quality.queries import readable_ratings
from gigcx.quality.schemas import DisputeCreate, ReviewSubmit
from gigcx.training import service as training_service
from gigcx.training.errors import BadAnswers
from gigcx.training.models import Certification
from gigcx.views import expert as expert_views
from gigcx.web.deps import CsrfChecked, Submitted, WebExpert, redirect, render
from gigcx.web.forms import plain_summary

router = APIRouter(include_in_schema=False)


@router.get("/expert/training", response_class=HTMLResponse)
def training(request: Request, session: SessionDep, user: WebExpert) -> Response:
    expert = experts_service.current_expert(session, user)
    courses = training_service.list_courses(session, user)
    certifications = training_service.list_certifications(session, user)
    latest: dict[uuid.UUID, Certification] = {}
    for certification in certifications:
        latest.setdefault(certification.course_id, certification)
    rows = session.execute(
        select(Program.id, Program.name).where(Program.id.in_([c.program_id for c in courses]))
    )
    programs = {program_id: name for program_id, name in rows}
    context = {
        "user": user,
        "courses": courses,
        "latest": latest,
        "programs": programs,
        "attempts_left": {
            c.id: training_service.attempts_left(session, expert.id, c) for c in courses
        },
        "expiring_soon": training_service.expiring_soon,
        "now": clock.now(),
    }
    return render(request, "expert/training.html", context)


@router.get("/expert/training/{course_id}", response_class=HTMLResponse)
def course_page(
    request: Request, session: SessionDep, user: WebExpert, course_id: uuid.UUID
) -> Response:
    return _course(request, session, user, course_id)


def _course(
    request: Request,
    session: SessionDep,
    user: WebExpert,
    course_id: uuid.UUID,
    *,
    result: training_service.AttemptResult | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    expert = experts_service.current_expert(session, user)
    course = training_service.get_course(session, user, course_id)
    context = {
        "user": user,
        "course": course,
        "result": result,
        "error": error,
        "attempts_left": training_service.attempts_left(session, expert.id, course),
    }
    return render(request, "expert/course.html", context, status_code=status_code)


@router.post("/expert/training/{course_id}/attempt", dependencies=[CsrfChecked])
def attempt(
    request: Request, session: SessionDep, user: WebExpert, course_id: uuid.UUID, form: Submitted
) -> Response:
    """Grade the quiz and show the result on the course page."""
    course = training_service.get_course(session, user, course_id)
    answers = {
        q.id: [int(v) for v in form.getlist(f"q-{q.id}") if isinstance(v, str) and v.isdigit()]
        for q in course.questions
    }
    answers = {k: v for k, v in answers.items() if v}
    try:
        result = training_service.submit_attempt(session, user, course_id, answers)
    except BadAnswers as error:
        return _course(request, session, user, course_id, error=error.detail, status_code=400)
    return _course(request, session, user, course_id, result=result)


@router.get("/expert/quality", response_class=HTMLResponse)
def quality(request: Request, session: SessionDep, user: WebExpert) -> Response:
    expert = experts_service.current_expert(session, user)
    disputes = {
        d.subject_id: expert_views.dispute_read(session, user, d)
        for d in quality_service.list_disputes(session, user)
    }
    ratings = session.scalars(
        readable_ratings(user).order_by(Rating.created_at.desc()).limit(50)
    ).all()
    reviews = [
        r
        for r in quality_service.list_reviews(session, user, expert_id=expert.id)
        if r.status == ReviewStatus.COMPLETED and r.reason != ReviewReason.CALIBRATION
    ]
    context = {
        "user": user,
        "rows": quality_service.quality_overview(session, user, expert.id),
        "reviews": expert_views.shown_reviews(session, user, reviews),
        "ratings": expert_views.shown_ratings(session, user, ratings),
        "disputes": disputes,
        "warnings": quality_service.list_warnings(session, user, expert_id=expert.id),
        "rules": list(formulas.TIER_RULES.values()),
        "formulas": formulas,
    }
    return render(request, "expert/quality.html", context)


@router.post("/expert/quality/disputes", dependencies=[CsrfChecked])
def appeal(session: SessionDep, user: WebExpert, form: Submitted) -> Response:
    """Appeal a review or rating once; a person at the brand decides."""
    try:
        data = DisputeCreate.model_validate(
            {k: form.get(k, "") for k in ("subject_type", "subject_id", "reason")}
        )
    except ValidationError as error:
        raise InvalidInput(plain_summary(error, labels={"reason": "Why it is wrong"})) from None
    quality_service.open_dispute(session, user, data)
    return redirect("/expert/quality")


@router.post("/expert/quality/enrollments/{enrollment_id}/pause", dependencies=[CsrfChecked])
def pause(session: SessionDep, user: WebExpert, enrollment_id: uuid.UUID) -> Response:
    """Pause an enrollment: no offers, no tier review; the tier stays."""
    experts_service.change_enrollment(session, user, enrollment_id, EnrollmentStatus.PAUSED)
    return redirect("/expert/quality")


@router.post("/expert/quality/enrollments/{enrollment_id}/resume", dependencies=[CsrfChecked])
def resume(session: SessionDep, user: WebExpert, enrollment_id: uuid.UUID) -> Response:
    experts_service.change_enrollment(session, user, enrollment_id, EnrollmentStatus.ACTIVE)
    return redirect("/expert/quality")


@router.get("/expert/reviews", response_class=HTMLResponse)
def review_tasks(request: Request, session: SessionDep, user: WebExpert) -> Response:
    """Senior experts review peers' tickets, paid per review."""
    context = {
        "user": user,
        "queue": quality_service.review_queue(session, user),
        "done": [
            r
            for r in quality_service.list_reviews(session, user)
            if r.reviewer_expert_id == user.expert_id
        ],
    }
    return render(request, "expert/reviews.html", context)


@router.get("/expert/reviews/{review_id}", response_class=HTMLResponse)
def review_task(
    request: Request, session: SessionDep, user: WebExpert, review_id: uuid.UUID
) -> Response:
    review = quality_service.get_review(session, user, review_id)
    if review.reviewer_expert_id != user.expert_id and review.expert_id == user.expert_id:
        return redirect("/expert/quality")
    scorecard = session.get_one(Scorecard, review.scorecard_id)
    conversation = expert_views.review_conversation(session, user, review)
    context = {
        "user": user,
        "review": review,
        "scorecard": scorecard,
        "messages": conversation.messages,
        "expert_name": "",
        "errors": {},
    }
    return render(request, "expert/review.html", context)


@router.post("/expert/reviews/{review_id}/complete", dependencies=[CsrfChecked])
def complete_review_task(
    session: SessionDep, user: WebExpert, review_id: uuid.UUID, form: Submitted
) -> Response:
    review = quality_service.get_review(session, user, review_id)
    scorecard = session.get_one(Scorecard, review.scorecard_id)
    answers = {c.key: form.get(f"c-{c.key}") == "met" for c in scorecard.criteria}
    comment = form.get("comment", "")
    quality_service.complete_review(
        session,
        user,
        review_id,
        ReviewSubmit(answers=answers, comment=comment if isinstance(comment, str) else ""),
    )
    return redirect("/expert/reviews")
