import uuid

from fastapi import APIRouter

from gigcx.api.deps import BrandManager, CurrentPrincipal, ExpertPrincipal, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.training import service as training_service
from gigcx.training.models import Course
from gigcx.training.schemas import (
    AttemptCreate,
    AttemptRead,
    CertificationRead,
    CourseCreate,
    CourseEditorRead,
    CourseRead,
    ModuleIn,
    ModuleRead,
    QuestionIn,
    QuestionKeyRead,
    RecertificationCreate,
)

router = APIRouter(tags=["training"], responses=ERROR_RESPONSES)


def _read(course: Course, *, with_key: bool) -> CourseRead:
    if with_key:
        return CourseEditorRead.model_validate(course)
    return CourseRead.model_validate(course)


@router.get("/programs/{program_id}/courses")
def list_courses(
    session: SessionDep, principal: CurrentPrincipal, program_id: uuid.UUID
) -> list[CourseRead]:
    """A program's courses: drafts too for its brand; the published ones for its experts."""
    courses = training_service.list_courses(session, principal, program_id=program_id)
    return [_read(c, with_key=principal.can_manage_brand) for c in courses]


@router.post("/programs/{program_id}/courses", status_code=201)
def create_course(
    session: SessionDep, principal: BrandManager, program_id: uuid.UUID, body: CourseCreate
) -> CourseEditorRead:
    """Open a draft course with modules and a quiz."""
    course = training_service.create_course(session, principal, program_id, body)
    return CourseEditorRead.model_validate(course)


@router.get("/courses/{course_id}")
def get_course(
    session: SessionDep, principal: CurrentPrincipal, course_id: uuid.UUID
) -> CourseRead:
    course = training_service.get_course(session, principal, course_id)
    return _read(course, with_key=principal.can_manage_brand)


@router.post("/courses/{course_id}/modules", status_code=201)
def add_module(
    session: SessionDep, principal: BrandManager, course_id: uuid.UUID, body: ModuleIn
) -> ModuleRead:
    return ModuleRead.model_validate(
        training_service.add_module(session, principal, course_id, body)
    )


@router.post("/courses/{course_id}/questions", status_code=201)
def add_question(
    session: SessionDep, principal: BrandManager, course_id: uuid.UUID, body: QuestionIn
) -> QuestionKeyRead:
    question = training_service.add_question(session, principal, course_id, body)
    return QuestionKeyRead.model_validate(question)


@router.post("/courses/{course_id}/publish")
def publish_course(
    session: SessionDep, principal: BrandManager, course_id: uuid.UUID
) -> CourseEditorRead:
    """Open the course to experts; the program then routes certified experts only."""
    course = training_service.publish_course(session, principal, course_id)
    return CourseEditorRead.model_validate(course)


@router.post("/courses/{course_id}/recertification")
def require_recertification(
    session: SessionDep,
    principal: BrandManager,
    course_id: uuid.UUID,
    body: RecertificationCreate,
) -> CourseEditorRead:
    """After a guideline change: a new version; current certificates end after the grace days."""
    course = training_service.require_recertification(
        session, principal, course_id, note=body.note, grace_days=body.grace_days
    )
    return CourseEditorRead.model_validate(course)


@router.post("/courses/{course_id}/attempts", status_code=201)
def submit_attempt(
    session: SessionDep, principal: ExpertPrincipal, course_id: uuid.UUID, body: AttemptCreate
) -> AttemptRead:
    """Take the quiz; a pass certifies you and, the first time, earns the onboarding fee."""
    result = training_service.submit_attempt(session, principal, course_id, body.answers)
    read = AttemptRead.model_validate(result.attempt)
    if result.certification is not None:
        read.certification_id = result.certification.id
    return read


@router.get("/certifications")
def list_certifications(
    session: SessionDep, principal: CurrentPrincipal, expert_id: uuid.UUID | None = None
) -> list[CertificationRead]:
    """An expert's own certifications, or those in the brand's programs."""
    rows = training_service.list_certifications(session, principal, expert_id=expert_id)
    return [CertificationRead.model_validate(c) for c in rows]
