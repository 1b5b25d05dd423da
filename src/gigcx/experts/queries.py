from sqlalchemy import Select, select, true

from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.experts.models import Enrollment, Expert


def readable_enrollments(principal: Principal) -> Select[Enrollment]:
    """Enrollments this principal may read: its own, or those in its brand's programs."""
    statement = select(Enrollment)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_expert:
        return statement.where(Enrollment.expert_id == principal.expert_id)
    if principal.is_brand_staff:
        brand_programs = select(Program.id).where(Program.brand_id == principal.brand_id)
        return statement.where(Enrollment.program_id.in_(brand_programs))
    return statement.where(true().is_(False))


def readable_experts(principal: Principal) -> Select[Expert]:
    """Experts this principal may read: itself, or those enrolled in its brand's programs."""
    statement = select(Expert)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_expert:
        return statement.where(Expert.id == principal.expert_id)
    if principal.is_brand_staff:
        enrolled = readable_enrollments(principal).with_only_columns(Enrollment.expert_id)
        return statement.where(Expert.id.in_(enrolled))
    return statement.where(true().is_(False))
