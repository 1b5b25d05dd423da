import uuid
from datetime import datetime

from pydantic import Field

from gigcx.kit.schemas import Schema
from gigcx.training.enums import CourseStatus, QuestionKind


class ModuleIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field("", max_length=50_000)


class QuestionIn(Schema):
    prompt: str = Field(min_length=1, max_length=2000)
    kind: QuestionKind
    options: list[str] = Field(min_length=2, max_length=10)
    correct: list[int] = Field(min_length=1, description="indexes of the right options, from 0")


class CourseCreate(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    pass_mark: int = Field(80, ge=1, le=100, description="percent of questions to get right")
    max_attempts: int = Field(3, ge=1, le=20)
    valid_days: int = Field(365, ge=1, le=3650)
    modules: list[ModuleIn] = Field(default_factory=list)
    questions: list[QuestionIn] = Field(default_factory=list)


class RecertificationCreate(Schema):
    note: str = Field(min_length=1, max_length=2000, description="what changed in the guidelines")
    grace_days: int = Field(14, ge=0, le=365)


class AttemptCreate(Schema):
    answers: dict[uuid.UUID, list[int]] = Field(description="question id -> chosen option indexes")


class ModuleRead(Schema):
    id: uuid.UUID
    position: int
    title: str
    body: str


class QuestionRead(Schema):
    """A question as experts see it: without the right answers."""

    id: uuid.UUID
    position: int
    prompt: str
    kind: QuestionKind
    options: list[str]


class QuestionKeyRead(QuestionRead):
    correct: list[int]


class CourseRead(Schema):
    id: uuid.UUID
    program_id: uuid.UUID
    title: str
    description: str
    status: CourseStatus
    pass_mark: int
    max_attempts: int
    valid_days: int
    version: int
    version_note: str
    modules: list[ModuleRead]
    questions: list[QuestionRead]
    created_at: datetime


class CourseEditorRead(CourseRead):
    questions: list[QuestionKeyRead]  # type: ignore[assignment]


class AttemptRead(Schema):
    id: uuid.UUID
    course_id: uuid.UUID
    course_version: int
    number: int
    correct_count: int
    question_count: int
    percent: int
    is_passed: bool
    certification_id: uuid.UUID | None = None
    created_at: datetime


class CertificationRead(Schema):
    id: uuid.UUID
    expert_id: uuid.UUID
    program_id: uuid.UUID
    course_id: uuid.UUID
    course_version: int
    issued_at: datetime
    expires_at: datetime
    expiry_warned_at: datetime | None
