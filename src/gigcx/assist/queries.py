from sqlalchemy import Select, or_, select, true

from gigcx.assist.enums import AnswerStatus
from gigcx.assist.models import Answer
from gigcx.auth.principal import Principal
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment


def readable_answers(principal: Principal) -> Select[Answer]:
    """Answers this principal may read: the brand's all; an expert's own proposals and the
    approved answers of programs they are active in."""
    statement = select(Answer)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Answer.brand_id == principal.brand_id)
    if principal.is_expert:
        active_programs = select(Enrollment.program_id).where(
            Enrollment.expert_id == principal.expert_id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
        )
        return statement.where(
            or_(
                Answer.author_expert_id == principal.expert_id,
                (Answer.status == AnswerStatus.APPROVED) & Answer.program_id.in_(active_programs),
            )
        )
    return statement.where(true().is_(False))
