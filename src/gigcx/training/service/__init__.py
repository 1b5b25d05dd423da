"""Courses, quizzes and the certifications that gate routing."""

from gigcx.training.service._certify import (
    AttemptResult,
    attempts_left,
    expiring_soon,
    grant_certification,
    list_certifications,
    submit_attempt,
    warn_expiring,
)
from gigcx.training.service._courses import (
    EXPIRY_WARNING_DAYS,
    add_module,
    add_question,
    create_course,
    get_course,
    list_courses,
    publish_course,
    refresh_certified_until,
    require_recertification,
)

__all__ = [
    "EXPIRY_WARNING_DAYS",
    "AttemptResult",
    "add_module",
    "add_question",
    "attempts_left",
    "create_course",
    "expiring_soon",
    "get_course",
    "grant_certification",
    "list_certifications",
    "list_courses",
    "publish_course",
    "refresh_certified_until",
    "require_recertification",
    "submit_attempt",
    "warn_expiring",
]
