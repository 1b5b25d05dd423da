from enum import IntEnum, StrEnum


class EscalationReason(StrEnum):
    INHOUSE_CATEGORY = "in-house-only category"
    NO_EXPERT_ONLINE = "no eligible expert online"
    MAX_OFFERS = "max offers reached"
    MAX_WAIT = "max wait exceeded"


class WaitReason(StrEnum):
    """Why a ticket waits for an expert, in the words the brand's ticket page shows."""

    TRIAGE = "waiting for triage: the AI reads it first, then routing offers it"
    OFFERED = "offered to an expert, waiting for the answer"
    AT_CAPACITY = "every eligible expert online is at capacity"
    NO_EXPERT_ONLINE = "no eligible expert is online"
    INHOUSE_CATEGORY = "its category is in-house only"
    MAX_OFFERS = "it was offered as many times as the program allows"
    MAX_WAIT = "it waited as long as the program allows"
    ROOM_NOW = "an eligible expert has room: the job runner offers it in a moment"


class ChangeKind(IntEnum):
    """What a routing_changes entry says changed of its expert (migration 0031)."""

    ROSTER = 1  # roster rows: eligibility, levels, capacity, quality, certification
    LOAD = 2  # open assignments or pending offers
    IDLE = 3  # the idle clock: last assignment, coming online
