"""Quiz attempts, certifications and their expiry."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands.models import Program
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.training.enums import CourseStatus, QuestionKind
from gigcx.training.errors import (
    AlreadyCertified,
    BadAnswers,
    CourseNotPublished,
    NoAttemptsLeft,
    NotEnrolled,
)
from gigcx.training.models import Certification, Course, QuizAttempt
from gigcx.training.queries import readable_certifications
from gigcx.training.service._courses import (
    EXPIRY_WARNING_DAYS,
    audit_course,
    editable_course,
    get_course,
    refresh_certified_until,
)


def _grade(course: Course, answers: dict[uuid.UUID, list[int]]) -> int:
    known = {q.id: q for q in course.questions}
    unknown = [str(k) for k in answers if k not in known]
    if unknown:
        raise BadAnswers(f"these are not questions of this course: {', '.join(unknown)}")
    missing = [q.position for q in course.questions if not answers.get(q.id)]
    if missing:
        raise BadAnswers(f"answer every question; missing: {', '.join(map(str, missing))}")
    correct = 0
    for question in course.questions:
        chosen = sorted(set(answers[question.id]))
        if any(i < 0 or i >= len(question.options) for i in chosen):
            raise BadAnswers(f"question {question.position}: choose among its options")
        if question.kind == QuestionKind.SINGLE and len(chosen) != 1:
            raise BadAnswers(f"question {question.position}: choose exactly one option")
        if chosen == sorted(question.correct):
            correct += 1
    return correct


@dataclass(frozen=True, slots=True)
class AttemptResult:
    attempt: QuizAttempt
    certification: Certification | None


def _latest_certification(
    session: Session, expert_id: uuid.UUID, course: Course
) -> Certification | None:
    return session.scalar(
        select(Certification)
        .where(
            Certification.expert_id == expert_id,
            Certification.course_id == course.id,
            Certification.course_version == course.version,
        )
        .order_by(Certification.issued_at.desc())
        .limit(1)
    )


def attempts_left(session: Session, expert_id: uuid.UUID, course: Course) -> int:
    """Attempts left at the current version since the last certificate of that version."""
    statement = select(func.count()).where(
        QuizAttempt.course_id == course.id,
        QuizAttempt.expert_id == expert_id,
        QuizAttempt.course_version == course.version,
    )
    latest = _latest_certification(session, expert_id, course)
    if latest is not None:
        statement = statement.where(QuizAttempt.created_at > latest.issued_at)
    used = session.scalar(statement) or 0
    return max(course.max_attempts - used, 0)


def submit_attempt(
    session: Session,
    principal: Principal,
    course_id: uuid.UUID,
    answers: dict[uuid.UUID, list[int]],
) -> AttemptResult:
    """Grade a quiz attempt; a pass certifies the expert and, the first time, earns the fee."""
    expert = experts_service.current_expert(session, principal)
    course = get_course(session, principal, course_id)
    if course.status != CourseStatus.PUBLISHED:
        raise CourseNotPublished()
    enrollment = experts_service.find_enrollment(
        session, expert_id=expert.id, program_id=course.program_id, lock=True
    )
    if enrollment is None or enrollment.status == EnrollmentStatus.REMOVED:
        raise NotEnrolled()
    now = clock.now()
    latest = _latest_certification(session, expert.id, course)
    if latest is not None and latest.expires_at > now + timedelta(days=EXPIRY_WARNING_DAYS):
        raise AlreadyCertified(latest.expires_at.date().isoformat())
    if attempts_left(session, expert.id, course) == 0:
        raise NoAttemptsLeft(course.max_attempts)
    correct = _grade(course, answers)
    total = len(course.questions)
    number = (
        session.scalar(
            select(func.count()).where(
                QuizAttempt.course_id == course.id,
                QuizAttempt.expert_id == expert.id,
                QuizAttempt.course_version == course.version,
            )
        )
        or 0
    ) + 1
    attempt = QuizAttempt(
        course_id=course.id,
        expert_id=expert.id,
        course_version=course.version,
        number=number,
        answers={str(k): sorted(set(v)) for k, v in answers.items()},
        correct_count=correct,
        question_count=total,
        percent=correct * 100 // total,
        # Integer comparison: 4 of 5 right meets a pass mark of 80 exactly.
        is_passed=correct * 100 >= course.pass_mark * total,
        created_at=now,
    )
    session.add(attempt)
    session.flush()
    if not attempt.is_passed:
        return AttemptResult(attempt, None)
    return AttemptResult(attempt, _certify(session, principal, enrollment, course, attempt, now))


def _certify(
    session: Session,
    principal: Principal,
    enrollment: Enrollment,
    course: Course,
    attempt: QuizAttempt,
    now: datetime,
) -> Certification:
    had_certification = (
        session.scalar(
            select(func.count()).where(
                Certification.expert_id == enrollment.expert_id,
                Certification.program_id == enrollment.program_id,
            )
        )
        or 0
    ) > 0
    certification = Certification(
        expert_id=enrollment.expert_id,
        program_id=course.program_id,
        course_id=course.id,
        course_version=course.version,
        attempt_id=attempt.id,
        issued_at=now,
        expires_at=now + timedelta(days=course.valid_days),
    )
    session.add(certification)
    session.flush()
    until = refresh_certified_until(
        session, expert_id=enrollment.expert_id, program_id=course.program_id
    )
    if until is not None and not had_certification:
        jobs_service.enqueue(
            session,
            "payments.earn_fee",
            {
                "kind": "onboarding",
                "expert_id": str(enrollment.expert_id),
                "program_id": str(course.program_id),
                "source_key": f"onboarding:{enrollment.id}",
                "reference": str(certification.id),
            },
        )
    if until is not None and enrollment.status == EnrollmentStatus.ONBOARDING:
        experts_service.apply_status(
            session, enrollment, EnrollmentStatus.ACTIVE, actor=SYSTEM, reason="certified"
        )
    audit_course(
        session,
        principal,
        course,
        "certification.issued",
        {
            "certification_id": str(certification.id),
            "expires_at": certification.expires_at.isoformat(),
        },
    )
    return certification


def grant_certification(
    session: Session,
    principal: Principal,
    course_id: uuid.UUID,
    *,
    expert_id: uuid.UUID,
    reason: str,
) -> Certification:
    """Certify an expert who already works in the program without the quiz (no onboarding fee).

    For experts a brand knows from before the course existed; the reason is audited.
    """
    course = editable_course(session, principal, course_id)
    if course.status != CourseStatus.PUBLISHED:
        raise CourseNotPublished()
    enrollment = experts_service.find_enrollment(
        session, expert_id=expert_id, program_id=course.program_id, lock=True
    )
    if enrollment is None or enrollment.status == EnrollmentStatus.REMOVED:
        raise NotEnrolled()
    held = _latest_certification(session, expert_id, course)
    if held is not None:
        raise AlreadyCertified(held.expires_at.date().isoformat())
    now = clock.now()
    attempt = QuizAttempt(
        course_id=course.id,
        expert_id=expert_id,
        course_version=course.version,
        number=0,
        answers={},
        correct_count=0,
        question_count=0,
        percent=0,
        is_passed=True,
        created_at=now,
    )
    session.add(attempt)
    session.flush()
    certification = Certification(
        expert_id=expert_id,
        program_id=course.program_id,
        course_id=course.id,
        course_version=course.version,
        attempt_id=attempt.id,
        issued_at=now,
        expires_at=now + timedelta(days=course.valid_days),
    )
    session.add(certification)
    session.flush()
    refresh_certified_until(session, expert_id=expert_id, program_id=course.program_id)
    audit_course(
        session,
        principal,
        course,
        "certification.granted",
        {"certification_id": str(certification.id), "expert_id": str(expert_id), "reason": reason},
    )
    return certification


def list_certifications(
    session: Session, principal: Principal, *, expert_id: uuid.UUID | None = None
) -> list[Certification]:
    statement = readable_certifications(principal)
    if expert_id is not None:
        statement = statement.where(Certification.expert_id == expert_id)
    return list(session.scalars(statement.order_by(Certification.expires_at.desc())))


def warn_expiring(session: Session, *, now: datetime | None = None) -> int:
    """Warn holders of certifications that expire within 14 days and have no newer one; once."""
    now = now or clock.now()
    horizon = now + timedelta(days=EXPIRY_WARNING_DAYS)
    warned = 0
    for certification in session.scalars(
        select(Certification)
        .where(
            Certification.expires_at > now,
            Certification.expires_at <= horizon,
            Certification.expiry_warned_at.is_(None),
        )
        .order_by(Certification.expires_at, Certification.id)
    ):
        newer = session.scalar(
            select(func.count()).where(
                Certification.expert_id == certification.expert_id,
                Certification.course_id == certification.course_id,
                Certification.expires_at > horizon,
            )
        )
        if newer:
            continue
        certification.expiry_warned_at = now
        program = session.get_one(Program, certification.program_id)
        audit_service.record(
            session,
            actor=SYSTEM,
            action="certification.expiry_warned",
            subject_type="certification",
            subject_id=certification.id,
            brand_id=program.brand_id,
            data={"expires_at": certification.expires_at.isoformat()},
        )
        warned += 1
    session.flush()
    return warned


def expiring_soon(certification: Certification, now: datetime | None = None) -> bool:
    """Whether the certification runs out within the warning period."""
    now = now or clock.now()
    return now < certification.expires_at <= now + timedelta(days=EXPIRY_WARNING_DAYS)
