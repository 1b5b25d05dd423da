"""Who may read which announcements and feedback."""

import uuid

from sqlalchemy import Select, select, true

from gigcx.auth.principal import Principal
from gigcx.channels.community.models import Announcement, Feedback
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment

# Experts see the announcements of programs they are in (not those they applied to or left).
READER_STATUSES = (EnrollmentStatus.ONBOARDING, EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)


def enrolled_program_ids(principal: Principal) -> Select[uuid.UUID]:
    return select(Enrollment.program_id).where(
        Enrollment.expert_id == principal.expert_id, Enrollment.status.in_(READER_STATUSES)
    )


def readable_announcements(principal: Principal) -> Select[Announcement]:
    """Brand staff: their brand's, retired ones too; experts: live ones of their programs."""
    statement = select(Announcement)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Announcement.brand_id == principal.brand_id)
    if principal.is_expert:
        return statement.where(
            Announcement.program_id.in_(enrolled_program_ids(principal)),
            Announcement.retired_at.is_(None),
        )
    return statement.where(true().is_(False))


def readable_feedback(principal: Principal) -> Select[Feedback]:
    """Brand staff: feedback to their brand; experts: only their own."""
    statement = select(Feedback)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Feedback.brand_id == principal.brand_id)
    if principal.is_expert:
        return statement.where(Feedback.expert_id == principal.expert_id)
    return statement.where(true().is_(False))
