from sqlalchemy import Select, select, true

from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment
from gigcx.training.enums import CourseStatus
from gigcx.training.models import Certification, Course


def readable_courses(principal: Principal) -> Select[Course]:
    """Courses this principal may read: its brand's, or the published ones of its programs."""
    statement = select(Course)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Course.brand_id == principal.brand_id)
    if principal.is_expert:
        enrolled = select(Enrollment.program_id).where(
            Enrollment.expert_id == principal.expert_id,
            Enrollment.status != EnrollmentStatus.REMOVED,
        )
        return statement.where(
            Course.status == CourseStatus.PUBLISHED, Course.program_id.in_(enrolled)
        )
    return statement.where(true().is_(False))


def readable_certifications(principal: Principal) -> Select[Certification]:
    """Certifications: an expert's own, or those in the brand's programs."""
    statement = select(Certification)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_expert:
        return statement.where(Certification.expert_id == principal.expert_id)
    if principal.is_brand_staff:
        programs = select(Program.id).where(Program.brand_id == principal.brand_id)
        return statement.where(Certification.program_id.in_(programs))
    return statement.where(true().is_(False))
