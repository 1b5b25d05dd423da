import uuid

from fastapi import APIRouter

from gigcx.api.deps import (
    BrandManager,
    CurrentPrincipal,
    ExpertPrincipal,
    Page,
    PageDep,
    SessionDep,
    paginate,
)
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.brands.queries import readable_programs
from gigcx.brands.schemas import ProgramCreate, ProgramMarketRead, ProgramRead, ProgramUpdate
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment
from gigcx.experts.queries import readable_enrollments
from gigcx.experts.schemas import EnrollmentRead, EnrollmentUpdate

router = APIRouter(tags=["programs"], responses=ERROR_RESPONSES)


@router.get("/programs")
def list_programs(
    session: SessionDep, principal: CurrentPrincipal, page: PageDep
) -> Page[ProgramRead | ProgramMarketRead]:
    """Brand staff see their programs; experts see the open marketplace (without the brand's
    in-house cost per contact and hourly floor)."""
    statement = readable_programs(principal)
    return paginate(
        session,
        statement.order_by(Program.name, Program.id),
        page,
        lambda program: brands_service.read_program(program, principal),
    )


@router.post("/programs", status_code=201)
def create_program(
    session: SessionDep, principal: BrandManager, body: ProgramCreate
) -> ProgramRead:
    """Open a program: languages, channels, categories, rate card, SLA and escalation rules."""
    assert principal.brand_id is not None
    program = brands_service.create_program(session, principal, body, brand_id=principal.brand_id)
    return ProgramRead.model_validate(program)


@router.get("/programs/{program_id}")
def get_program(
    session: SessionDep, principal: CurrentPrincipal, program_id: uuid.UUID
) -> ProgramRead | ProgramMarketRead:
    """A program; experts see it without the brand's internal costs."""
    program = brands_service.get_program(session, principal, program_id)
    return brands_service.read_program(program, principal)


@router.patch("/programs/{program_id}")
def update_program(
    session: SessionDep, principal: BrandManager, program_id: uuid.UUID, body: ProgramUpdate
) -> ProgramRead:
    """Change a program's rules; categories and rates, when given, replace the old ones."""
    program = brands_service.update_program(session, principal, program_id, body)
    return ProgramRead.model_validate(program)


@router.post("/programs/{program_id}/enrollments", status_code=201, tags=["enrollments"])
def apply_to_program(
    session: SessionDep, principal: ExpertPrincipal, program_id: uuid.UUID
) -> EnrollmentRead:
    """Apply to work in a program; the brand approves.

    Refused (409, nothing written) while the profile lacks what the program needs: a
    country, one of its languages, room for tickets on one of its channels, a skill in one of
    its categories. The detail lists each thing to add.
    """
    return EnrollmentRead.model_validate(experts_service.apply(session, principal, program_id))


@router.get("/enrollments", tags=["enrollments"])
def list_enrollments(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    program_id: uuid.UUID | None = None,
    status: EnrollmentStatus | None = None,
) -> Page[EnrollmentRead]:
    """An expert's own enrollments, or those in the brand's programs."""
    statement = readable_enrollments(principal)
    if program_id is not None:
        statement = statement.where(Enrollment.program_id == program_id)
    if status is not None:
        statement = statement.where(Enrollment.status == status)
    statement = statement.order_by(Enrollment.created_at, Enrollment.id)
    return paginate(session, statement, page, EnrollmentRead.model_validate)


@router.patch("/enrollments/{enrollment_id}", tags=["enrollments"])
def change_enrollment(
    session: SessionDep,
    principal: CurrentPrincipal,
    enrollment_id: uuid.UUID,
    body: EnrollmentUpdate,
) -> EnrollmentRead:
    """Approve, pause, resume or remove an enrollment.

    A pause or removal by the brand needs a signed-in admin (not an API key) and a ``reason``,
    which the expert is shown and can ask a person to review.
    """
    enrollment = experts_service.change_enrollment(
        session, principal, enrollment_id, body.status, reason=body.reason
    )
    return EnrollmentRead.model_validate(enrollment)
