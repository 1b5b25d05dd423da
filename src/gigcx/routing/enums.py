from enum import StrEnum


class EscalationReason(StrEnum):
    INHOUSE_CATEGORY = "in-house-only category"
    NO_EXPERT_ONLINE = "no eligible expert online"
    MAX_OFFERS = "max offers reached"
    MAX_WAIT = "max wait exceeded"
