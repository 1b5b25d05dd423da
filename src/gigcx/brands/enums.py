from enum import StrEnum


class Channel(StrEnum):
    CHAT = "chat"
    EMAIL = "email"
    API = "api"


class TimeBand(StrEnum):
    """Named parts of the week in the program's time zone (see brands.service.time_bands_at)."""

    DAY = "day"
    EVENING = "evening"
    NIGHT = "night"
    WEEKEND = "weekend"


class Complexity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
