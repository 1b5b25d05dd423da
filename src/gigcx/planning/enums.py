from enum import StrEnum


class CoverageActionKind(StrEnum):
    SURGE = "surge"
    INVITE = "invite"
    RECRUIT = "recruit"
