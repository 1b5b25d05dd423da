from enum import StrEnum


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
