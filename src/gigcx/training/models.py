import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.training.enums import CourseStatus, QuestionKind


class Course(IdMixin, CreatedMixin, Base):
    """A program's onboarding course: modules to read, then a quiz with a pass mark."""

    __tablename__ = "courses"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"), index=True)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CourseStatus] = mapped_column(String(16), default=CourseStatus.DRAFT)
    pass_mark: Mapped[int] = mapped_column(default=80)  # percent of questions right
    max_attempts: Mapped[int] = mapped_column(default=3)  # per version of the course
    valid_days: Mapped[int] = mapped_column(default=365)  # how long a certification lasts
    # A guideline change bumps the version: certifications of older versions then run out.
    version: Mapped[int] = mapped_column(default=1)
    version_note: Mapped[str] = mapped_column(Text, default="")

    modules: Mapped[list["CourseModule"]] = relationship(
        cascade="all, delete-orphan", order_by="CourseModule.position", lazy="selectin"
    )
    questions: Mapped[list["Question"]] = relationship(
        cascade="all, delete-orphan", order_by="Question.position", lazy="selectin"
    )


class CourseModule(IdMixin, Base):
    """One reading of a course, in order."""

    __tablename__ = "course_modules"

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")


class Question(IdMixin, Base):
    """A quiz question: one right option (single) or a set of right options (multiple)."""

    __tablename__ = "quiz_questions"

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int]
    prompt: Mapped[str] = mapped_column(Text)
    kind: Mapped[QuestionKind] = mapped_column(String(16))
    options: Mapped[list[Any]] = mapped_column(default=list)
    correct: Mapped[list[Any]] = mapped_column(default=list)  # indexes into options


class QuizAttempt(IdMixin, CreatedMixin, Base):
    """One try at a course's quiz, with the answers and the mark."""

    __tablename__ = "quiz_attempts"

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id"))
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"), index=True)
    course_version: Mapped[int]
    number: Mapped[int]
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    correct_count: Mapped[int]
    question_count: Mapped[int]
    percent: Mapped[int]
    is_passed: Mapped[bool]

    __table_args__ = (UniqueConstraint("course_id", "expert_id", "course_version", "number"),)


class Certification(IdMixin, CreatedMixin, Base):
    """Proof that an expert passed a course version; it expires."""

    __tablename__ = "certifications"

    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"))
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id"))
    course_version: Mapped[int]
    attempt_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("quiz_attempts.id"))
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    expiry_warned_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("expert_id", "course_id", "course_version"),
        Index("ix_certifications_expert_program", "expert_id", "program_id"),
    )
