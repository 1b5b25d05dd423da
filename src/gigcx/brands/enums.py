from enum import StrEnum


class Channel(StrEnum):
    CHAT = "chat"
    EMAIL = "email"
    API = "api"


class Complexity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
