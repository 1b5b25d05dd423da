"""Courses, quizzes and the certifications that gate routing."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.errors import PermissionDenied
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.training.enums import CourseStatus, QuestionKind
from gigcx.training.errors import (
    AlreadyCertified,
    BadAnswers,
    BadQuestion,
    CourseNotFound,
    CourseNotPublished,
    CourseNotReady,
    NoAttemptsLeft,
    NotEnrolled,
)
from gigcx.training.models import Certification, Course, CourseModule, Question, QuizAttempt
from gigcx.training.queries import readable_certifications, readable_courses
from gigcx.training.schemas import CourseCreate, ModuleIn, QuestionIn

EXPIRY_WARNING_DAYS = 14


def _require_manager(principal: Principal, brand_id: uuid.UUID) -> None:
    if principal.is_platform_admin or principal.is_system:
        return
    if not (principal.can_manage_brand and principal.brand_id == brand_id):
        raise PermissionDenied("only the brand's admins edit its courses")


def get_course(session: Session, principal: Principal, course_id: uuid.UUID) -> Course:
    course = session.scalar(readable_courses(principal).where(Course.id == course_id))
    if course is None:
        raise CourseNotFound()
    return course


def list_courses(
    session: Session, principal: Principal, *, program_id: uuid.UUID | None = None
) -> list[Course]:
    statement = readable_courses(principal)
    if program_id is not None:
        statement = statement.where(Course.program_id == program_id)
    return list(session.scalars(statement.order_by(Course.created_at, Course.id)))


def _question(data: QuestionIn, position: int) -> Question:
    correct = sorted(set(data.correct))
    if any(i < 0 or i >= len(data.options) for i in correct):
        raise BadQuestion(
            f"question {position}: right answers are option indexes, 0 to {len(data.options) - 1}"
        )
    if data.kind == QuestionKind.SINGLE and len(correct) != 1:
        raise BadQuestion(f"question {position}: a single-choice question has exactly one answer")
    return Question(
        position=position,
        prompt=data.prompt,
        kind=data.kind,
        options=list(data.options),
        correct=correct,
    )


def create_course(
    session: Session, principal: Principal, program_id: uuid.UUID, data: CourseCreate
) -> Course:
    """Open a draft course for a program, with its modules and quiz questions."""
    program = brands_service.get_program(session, principal, program_id)
    _require_manager(principal, program.brand_id)
    course = Course(
        brand_id=program.brand_id,
        program_id=program.id,
        title=data.title,
        description=data.description,
        pass_mark=data.pass_mark,
        max_attempts=data.max_attempts,
        valid_days=data.valid_days,
        modules=[
            CourseModule(position=i, title=m.title, body=m.body)
            for i, m in enumerate(data.modules, start=1)
        ],
        questions=[_question(q, i) for i, q in enumerate(data.questions, start=1)],
    )
    session.add(course)
    session.flush()
    _audit(session, principal, course, "course.created")
    return course


def _editable(session: Session, principal: Principal, course_id: uuid.UUID) -> Course:
    course = get_course(session, principal, course_id)
    _require_manager(principal, course.brand_id)
    return course


def add_module(
    session: Session, principal: Principal, course_id: uuid.UUID, data: ModuleIn
) -> CourseModule:
    """Append a reading to a course."""
    course = _editable(session, principal, course_id)
    module = CourseModule(position=len(course.modules) + 1, title=data.title, body=data.body)
    course.modules.append(module)
    session.flush()
    return module


def add_question(
    session: Session, principal: Principal, course_id: uuid.UUID, data: QuestionIn
) -> Question:
    """Append a quiz question to a course."""
    course = _editable(session, principal, course_id)
    question = _question(data, len(course.questions) + 1)
    course.questions.append(question)
    session.flush()
    return question


def publish_course(session: Session, principal: Principal, course_id: uuid.UUID) -> Course:
    """Open the course to the program's experts; the program then routes certified experts only."""
    course = _editable(session, principal, course_id)
    if not course.modules:
        raise CourseNotReady("a module")
    if not course.questions:
        raise CourseNotReady("a quiz question")
    if course.status == CourseStatus.PUBLISHED:
        return course
    course.status = CourseStatus.PUBLISHED
    program = session.get_one(Program, course.program_id)
    program.requires_certification = True
    session.flush()
    # A further course is one more certificate to hold: those certified so far need it too.
    certified = session.scalars(
        select(Enrollment.expert_id).where(
            Enrollment.program_id == program.id, Enrollment.certified_until.is_not(None)
        )
    ).all()
    for expert_id in certified:
        refresh_certified_until(session, expert_id=expert_id, program_id=program.id)
    _audit(session, principal, course, "course.published")
    return course


def require_recertification(
    session: Session, principal: Principal, course_id: uuid.UUID, *, note: str, grace_days: int
) -> Course:
    """Open a new version after a guideline change: current certifications end after the grace."""
    course = _editable(session, principal, course_id)
    course.version += 1
    course.version_note = note
    cutoff = clock.now() + timedelta(days=grace_days)
    holders: set[uuid.UUID] = set()
    for certification in session.scalars(
        select(Certification).where(
            Certification.course_id == course.id, Certification.expires_at > cutoff
        )
    ):
        certification.expires_at = cutoff
        certification.expiry_warned_at = None
        holders.add(certification.expert_id)
    session.flush()
    for expert_id in sorted(holders):
        refresh_certified_until(session, expert_id=expert_id, program_id=course.program_id)
    _audit(
        session,
        principal,
        course,
        "course.recertification_required",
        {"version": course.version, "note": note, "certified_until": cutoff.isoformat()},
    )
    return course


def refresh_certified_until(
    session: Session, *, expert_id: uuid.UUID, program_id: uuid.UUID
) -> datetime | None:
    """Write on the enrollment until when the expert holds every published course's certificate."""
    enrollment = experts_service.find_enrollment(
        session, expert_id=expert_id, program_id=program_id, lock=True
    )
    if enrollment is None:
        return None
    published = list(
        session.scalars(
            select(Course.id).where(
                Course.program_id == program_id, Course.status == CourseStatus.PUBLISHED
            )
        )
    )
    latest = dict(
        session.execute(
            select(Certification.course_id, func.max(Certification.expires_at))
            .where(Certification.expert_id == expert_id, Certification.program_id == program_id)
            .group_by(Certification.course_id)
        ).all()
    )
    until: datetime | None = None
    if published and all(course_id in latest for course_id in published):
        until = min(latest[course_id] for course_id in published)
    enrollment.certified_until = until
    session.flush()
    return until


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
    _audit(
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
    course = _editable(session, principal, course_id)
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
    _audit(
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


def _audit(
    session: Session,
    principal: Principal,
    course: Course,
    action: str,
    data: dict[str, object] | None = None,
) -> None:
    audit_service.record(
        session,
        actor=principal,
        action=action,
        subject_type="course",
        subject_id=course.id,
        brand_id=course.brand_id,
        data=data or {},
    )
