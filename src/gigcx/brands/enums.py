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


class RoutingPolicy(StrEnum):
    """How routing orders the eligible experts with room (gigcx.routing.policies)."""

    SCORE = "score"
    LONGEST_IDLE = "longest_idle"
    ROUND_ROBIN = "round_robin"
    RANDOM = "random"
    SPECIALISTS_FIRST = "specialists_first"
