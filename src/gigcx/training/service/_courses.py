"""Courses: modules, quiz questions, publishing and re-certification."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.errors import PermissionDenied
from gigcx.experts import service as experts_service
from gigcx.experts.models import Enrollment
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.training.enums import CourseStatus, QuestionKind
from gigcx.training.errors import (
    BadQuestion,
    CourseNotFound,
    CourseNotReady,
)
from gigcx.training.models import Certification, Course, CourseModule, Question
from gigcx.training.queries import readable_courses
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
        # Another brand's program is not found, rather than found without courses.
        brands_service.get_program(session, principal, program_id)
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
    audit_course(session, principal, course, "course.created")
    return course


def editable_course(session: Session, principal: Principal, course_id: uuid.UUID) -> Course:
    course = get_course(session, principal, course_id)
    _require_manager(principal, course.brand_id)
    return course


def add_module(
    session: Session, principal: Principal, course_id: uuid.UUID, data: ModuleIn
) -> CourseModule:
    """Append a reading to a course."""
    course = editable_course(session, principal, course_id)
    module = CourseModule(position=len(course.modules) + 1, title=data.title, body=data.body)
    course.modules.append(module)
    session.flush()
    return module


def add_question(
    session: Session, principal: Principal, course_id: uuid.UUID, data: QuestionIn
) -> Question:
    """Append a quiz question to a course."""
    course = editable_course(session, principal, course_id)
    question = _question(data, len(course.questions) + 1)
    course.questions.append(question)
    session.flush()
    return question


def publish_course(session: Session, principal: Principal, course_id: uuid.UUID) -> Course:
    """Open the course to the program's experts; the program then routes certified experts only."""
    course = editable_course(session, principal, course_id)
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
    audit_course(session, principal, course, "course.published")
    return course


def require_recertification(
    session: Session, principal: Principal, course_id: uuid.UUID, *, note: str, grace_days: int
) -> Course:
    """Open a new version after a guideline change: current certifications end after the grace."""
    course = editable_course(session, principal, course_id)
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
    audit_course(
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
    before = enrollment.certified_until
    enrollment.certified_until = until
    if until is not None and until > clock.now() and (before is None or before < until):
        # Newly certified (or for longer): queued work may be theirs now.
        jobs_service.enqueue(session, "routing.dispatch", {"program_id": str(program_id)})
    session.flush()
    return until


def audit_course(
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
