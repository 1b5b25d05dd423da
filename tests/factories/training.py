from typing import Any

from sqlalchemy.orm import Session

from gigcx.brands.models import Brand, Program
from gigcx.training import service as training_service
from gigcx.training.models import Course
from gigcx.training.schemas import CourseCreate
from tests.factories.brands import brand_admin

QUESTIONS: list[dict[str, Any]] = [
    {
        "prompt": "Refund window?",
        "kind": "single",
        "options": ["14 days", "30 days"],
        "correct": [1],
    },
    {"prompt": "Say hello?", "kind": "single", "options": ["yes", "no"], "correct": [0]},
    {
        "prompt": "Never share",
        "kind": "multiple",
        "options": ["card number", "order id", "password"],
        "correct": [0, 2],
    },
    {"prompt": "Escalate legal?", "kind": "single", "options": ["yes", "no"], "correct": [0]},
    {"prompt": "Tone?", "kind": "single", "options": ["warm", "curt"], "correct": [0]},
]


def make_course(
    session: Session, program: Program, *, publish: bool = True, **overrides: Any
) -> Course:
    fields: dict[str, Any] = {
        "title": "Onboarding",
        "pass_mark": 80,
        "max_attempts": 2,
        "valid_days": 90,
        "modules": [{"title": "Our voice", "body": "Be warm and exact."}],
        "questions": QUESTIONS,
    }
    fields.update(overrides)
    admin = brand_admin(session.get_one(Brand, program.brand_id))
    course = training_service.create_course(
        session, admin, program.id, CourseCreate.model_validate(fields)
    )
    if publish:
        training_service.publish_course(session, admin, course.id)
    return course


def answers(course: Course, *, wrong: int = 0) -> dict[Any, list[int]]:
    """Right answers to every question, except the first ``wrong`` ones."""
    result: dict[Any, list[int]] = {}
    for index, question in enumerate(course.questions):
        right = list(question.correct)
        if index < wrong:
            right = [i for i in range(len(question.options)) if i not in right][:1]
        result[question.id] = right
    return result
